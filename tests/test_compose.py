"""compose.yaml and the Dockerfile refer only to things that exist, since nothing here runs docker.

Each service command is checked against the project: gunicorn's ``module:app`` imports,
``celery -A kip_service`` names the real app and a real sub-command, ``manage.py <command>``
is a known management command. Health checks, the single beat and secret documentation are
checked too, along with the sanity that ``docker compose config`` would give.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def argv(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def test_the_expected_services_exist() -> None:
    assert set(SERVICES) >= {"postgres", "redis", *APP_SERVICES}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_long_running_service_has_a_healthcheck(name: str) -> None:
    service = SERVICES[name]
    if name == "migrate":
        assert service.get("restart") == "no", "migrate is a one-off and must not restart"
        return
    test = service.get("healthcheck", {}).get("test")
    assert test, f"{name} has no healthcheck"
    assert not service["healthcheck"].get("disable", False)


def test_beat_runs_exactly_once() -> None:
    beat = SERVICES["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "scale" not in beat
    schedulers = [n for n, s in SERVICES.items() if "beat" in argv(s) or "-B" in argv(s)]
    assert schedulers == ["beat"], "only the beat service may run a scheduler"


def test_worker_is_scalable() -> None:
    worker = SERVICES["worker"]
    assert "container_name" not in worker, "a fixed container name prevents --scale"
    assert worker.get("deploy", {}).get("replicas", 1) >= 1
    assert not any(":" in str(p) for p in worker.get("ports", [])), "published ports block scaling"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_use_production_settings_and_one_image(name: str) -> None:
    service = SERVICES[name]
    assert service["build"] == "."
    assert service["image"] == SERVICES["web"]["image"]
    module = service["environment"]["DJANGO_SETTINGS_MODULE"]
    assert module == "kip_service.settings.production"
    assert importlib.util.find_spec(module) is not None


def test_web_serves_the_wsgi_application() -> None:
    args = argv(SERVICES["web"])
    assert args[0] == "gunicorn"
    target = next(a for a in args[1:] if not a.startswith("-"))
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute))


def test_web_takes_its_settings_from_the_gunicorn_config() -> None:
    """Processes, threads and timeouts come from kip_service/gunicorn.conf.py (the KIP_WEB_*
    variables), in compose and in the image's own command alike, not from fixed options."""
    args = argv(SERVICES["web"])
    configs = [a.removeprefix("--config=") for a in args if a.startswith("--config=")]
    assert configs == ["kip_service/gunicorn.conf.py"]
    source = (ROOT / configs[0]).read_text()
    fixed = ("--workers", "-w", "--threads", "--worker-class", "-k", "--timeout", "--max-requests")
    assert not [a for a in args if a.split("=")[0] in fixed]
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert cmd
    assert f"--config={configs[0]}" in yaml.safe_load(cmd.group(1))
    passed = [k for k in SERVICES["web"]["environment"] if k.startswith("KIP_WEB_")]
    assert len(passed) == 8
    for name in [*passed, "WEB_CONCURRENCY"]:
        assert f'"{name}"' in source, f"{name} is passed to web but gunicorn.conf.py ignores it"
    # Docker waits past gunicorn's default graceful timeout (30 s) before it kills.
    assert int(SERVICES["web"]["stop_grace_period"].removesuffix("s")) > 30


def test_web_healthcheck_hits_a_real_route(client: Any) -> None:
    test = " ".join(SERVICES["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/\S*?)['\"]", test)
    assert path, test
    assert client.get(path.group(1)).status_code == 200


@pytest.mark.parametrize(("name", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_name_the_real_app(name: str, subcommand: str) -> None:
    args = argv(SERVICES[name])
    assert args[:2] == ["celery", "-A"]
    app_module = args[2]
    from celery import Celery

    app = importlib.import_module(f"{app_module}.celery").app
    assert isinstance(app, Celery)
    assert args[3] == subcommand
    assert subcommand in {"worker", "beat"}


def test_migrate_runs_a_real_management_command() -> None:
    args = argv(SERVICES["migrate"])
    assert args[:2] == ["python", "manage.py"]
    assert (ROOT / "manage.py").exists()
    assert args[2] in get_commands()
    assert "--noinput" in args


def test_manage_py_commands_everywhere_exist() -> None:
    commands = get_commands()
    for name, service in SERVICES.items():
        args = argv(service)
        if "manage.py" in args:
            command = args[args.index("manage.py") + 1]
            assert command in commands, f"{name}: manage.py {command} does not exist"


def test_depends_on_targets_exist_and_wait_for_migrate() -> None:
    for name, service in SERVICES.items():
        depends = service.get("depends_on", {})
        targets = depends if isinstance(depends, list) else list(depends)
        for target in targets:
            assert target in SERVICES, f"{name} depends on unknown service {target}"
            assert target != name
    for name in ("web", "worker", "beat"):
        condition = SERVICES[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
    assert SERVICES["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert SERVICES["web"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_volumes_and_secrets_are_declared() -> None:
    declared_volumes = set(COMPOSE.get("volumes") or {})
    declared_secrets = set(COMPOSE.get("secrets") or {})
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared_volumes, f"{name}: volume {source} not declared"
        for secret in service.get("secrets", []):
            assert secret in declared_secrets, f"{name}: secret {secret} not declared"
        for key, value in (service.get("environment") or {}).items():
            if key.endswith("_FILE") and str(value).startswith("/run/secrets/"):
                secret_name = str(value).removeprefix("/run/secrets/")
                assert secret_name in service.get("secrets", []), f"{name}: {key} not mounted"


def test_secret_variables_are_ones_the_settings_read() -> None:
    settings_text = "".join(p.read_text() for p in (ROOT / "kip_service/settings").glob("*.py"))
    entrypoint = (ROOT / "bin/docker-entrypoint").read_text()
    for service in SERVICES.values():
        for key in service.get("environment") or {}:
            if key.endswith("_FILE"):
                variable = key.removesuffix("_FILE")
                assert f'secret("{variable}"' in settings_text or variable in entrypoint, key


def test_secret_files_are_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name, secret in (COMPOSE.get("secrets") or {}).items():
        path = secret["file"].removeprefix("./")
        assert path in readme, f"README.md does not document the secret file {path}"
        assert name in readme
    for service in SERVICES.values():
        for key in service.get("environment") or {}:
            if key.endswith("_FILE") and not key.startswith("POSTGRES_"):
                assert key in readme, f"README.md does not document {key}"
                assert key in example, f".env.example does not document {key}"


def test_dockerfile_builds_what_compose_runs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    # The lock's exact versions with their hashes, then the project without resolving again.
    assert "pip install --require-hashes -r requirements/base.txt" in dockerfile
    assert "pip install --no-deps --no-build-isolation ." in dockerfile
    assert (ROOT / "requirements/base.txt").exists()
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE), "run as a non-root user"
    module = re.search(r"DJANGO_SETTINGS_MODULE=([\w.]+)", dockerfile)
    assert module
    assert importlib.util.find_spec(module.group(1)) is not None
    entrypoint = re.search(r'^ENTRYPOINT \["(/app/)?([^"]+)"\]', dockerfile, re.MULTILINE)
    assert entrypoint
    assert (ROOT / entrypoint.group(2)).exists()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "secrets/", "var/"} <= set(ignored)


def test_beat_healthcheck_watches_the_schedule_file_in_the_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    var_dir = re.search(r"KIP_VAR_DIR=(\S+)", dockerfile)
    assert var_dir
    test = " ".join(SERVICES["beat"]["healthcheck"]["test"])
    # Beat's PersistentScheduler writes CELERY_BEAT_SCHEDULE_FILENAME (+ .dat/.dir/.db).
    assert f"{var_dir.group(1)}/celerybeat-schedule*" in test


def test_every_scheduled_task_is_registered_with_the_worker() -> None:
    """Beat sends task names; a worker only knows the tasks in the modules the app includes."""
    from django.conf import settings

    from kip_service.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    for entry, spec in settings.CELERY_BEAT_SCHEDULE.items():
        assert spec["task"] in registered, (
            f"beat entry {entry!r} sends {spec['task']!r}, which no module in "
            f"kip_service/celery.py's include ({app.conf.include}) registers"
        )
