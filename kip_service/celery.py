"""The Celery app. ``workers/`` is not a Django app, so its task modules are named here."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kip_service.settings.local")

app = Celery("kip_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.include = ["workers.tasks"]


@signals.setup_logging.connect
def _logging_from_django(**_: object) -> None:
    """Worker and beat log as the web does (settings.LOGGING: JSON or text, with the task id
    on each line of a task), instead of Celery taking over the root logger."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
