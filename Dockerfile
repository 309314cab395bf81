# One image for every production service in compose.yaml: migrate, web, worker, beat.
#   docker build -t kip-service .
# Settings: kip_service.settings.production (PostgreSQL, Redis, secrets from *_FILE).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
# gettext: compilemessages turns the translation catalogues (locale/*.po) into .mo files.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# The exact versions of the lock, each checked against its hash (the build backend included);
# then the project alone, built with that backend (no build isolation: nothing unpinned).
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt
COPY . .
RUN pip install --no-deps --no-build-isolation .
# Placeholder values, only for this build step: production settings refuse to import without
# them, and neither command reads a secret or opens a database connection.
RUN export DJANGO_SETTINGS_MODULE=kip_service.settings.production \
        KIP_VAR_DIR=/var/lib/kip SECRET_KEY=build KIP_CPR_HASH_KEY=build \
        KIP_CPR_ENCRYPTION_KEY=build DATABASE_URL=postgres://build@localhost/build \
        KIP_BASE_URL=https://build.invalid \
        REDIS_URL=redis://localhost:6379/0 \
    && if [ -d locale ]; then python manage.py compilemessages; fi \
    && python manage.py collectstatic --noinput --verbosity 0

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    # The source tree, not the installed copy, is what runs: templates, static files and
    # catalogues live next to the code and are not part of the wheel.
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=kip_service.settings.production \
    KIP_VAR_DIR=/var/lib/kip
RUN groupadd --system --gid 10001 kip \
    && useradd --system --uid 10001 --gid kip --home-dir /app --shell /usr/sbin/nologin kip
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
# KIP_VAR_DIR holds the collected static files (read-only at run time) and beat's schedule
# file, so the app user may write there.
COPY --from=build --chown=kip:kip /var/lib/kip /var/lib/kip
WORKDIR /app
USER kip
EXPOSE 8000
ENTRYPOINT ["/app/bin/docker-entrypoint"]
# gunicorn's processes, threads and timeouts: kip_service/gunicorn.conf.py (KIP_WEB_* variables).
CMD ["gunicorn", "kip_service.wsgi:application", "--config=kip_service/gunicorn.conf.py", "--bind=0.0.0.0:8000"]
