"""With DEBUG off (the default everywhere), errors answer with Danish pages in the site's look
that show no traceback, settings, paths or URL patterns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.conftest import make_user

ROOT = Path(__file__).resolve().parent.parent.parent
DA = {"Accept-Language": "da"}
LEAKS = ("Traceback", "URLconf", "api/v1/", "SECRET_KEY", "settings.py", "kip_service", "DEBUG")


def assert_site_page(response: Any, status: int, *texts: str) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert "dkfds.min.css" in page  # the site's look
    assert 'href="/"' in page  # a way home
    for text in texts:
        assert text in page, text
    for leak in LEAKS:
        assert leak not in page, leak
    return page


@pytest.mark.parametrize(
    "url", ["/no/such/page/", "/plans/999999/x/", "/static/vendor/missing.css", "/login/x"]
)
def test_a_missing_page_answers_a_danish_404(db: None, url: str) -> None:
    response = Client().get(url, headers=DA)
    page = assert_site_page(response, 404, "Siden findes ikke", "Gå til forsiden")
    assert '<html lang="da">' in page


def test_a_plan_one_may_not_see_answers_the_same_404_page(world: Any) -> None:
    client = Client()
    client.force_login(world.outsider)
    response = client.get(f"/plans/{world.plan.pk}/", headers=DA)
    page = assert_site_page(response, 404, "Siden findes ikke")
    assert world.citizen.name not in page


def test_the_404_page_follows_the_language(db: None) -> None:
    response = Client().get("/no/such/page/", headers={"Accept-Language": "en"})
    assert_site_page(response, 404, "Page not found")


def test_with_debug_on_the_404_would_list_the_url_patterns(db: None) -> None:
    """What the checks above guard against (so they can fail)."""
    with override_settings(DEBUG=True):
        page = Client().get("/no/such/page/").content.decode()
    assert "URLconf" in page
    assert "api/v1/" in page


@pytest.mark.urls("tests.web.error_urls")
@pytest.mark.parametrize("logged_in", [False, True])
def test_a_server_error_answers_a_danish_500_without_a_traceback(db: None, logged_in: bool) -> None:
    client = Client(raise_request_exception=False)
    if logged_in:
        from apps.organisations.services import organisation_ensure

        org = organisation_ensure(slug="x", name="X", kind="shelter", sector="municipality")
        client.force_login(make_user("someone", org, "caseworker"))
    with override_settings(DEBUG=False):
        response = client.get("/test-boom/", headers=DA)
    page = assert_site_page(response, 500, "Noget gik galt")
    assert "internal-detail" not in page
    assert "someone" not in page


@pytest.mark.urls("tests.web.error_urls")
def test_a_forbidden_action_answers_a_danish_403(db: None) -> None:
    response = Client().get("/test-forbidden/", headers=DA)
    page = assert_site_page(response, 403, "Ingen adgang", "adgangsloggen")
    assert "internal reason" not in page


@pytest.mark.parametrize("url", ["/login/", "/organisation/", "/logout/"])
def test_a_form_without_its_csrf_token_answers_a_danish_403(db: None, url: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"username": "a", "password": "b"}, headers=DA)
    page = assert_site_page(response, 403, "Formularen er udløbet", "Intet er gemt")
    assert "CSRF verification failed" not in page  # Django's own page and its reasons
    assert "cookie not set" not in page


def _settings_in_a_clean_process(tmp_path: Path, **env: str) -> dict[str, str]:
    """Import the settings `make run` uses in a fresh process with only the given variables."""
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DEBUG); print(settings.CACHES['default']['BACKEND'])"
    )
    clean = {"PATH": os.environ.get("PATH", ""), "KIP_VAR_DIR": str(tmp_path), **env}
    clean.setdefault("DJANGO_SETTINGS_MODULE", "kip_service.settings.local")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    debug, cache = out.stdout.split()
    return {"DEBUG": debug, "CACHE": cache}


@pytest.mark.parametrize(
    ("env", "debug"),
    [
        ({}, "False"),
        ({"KIP_DEBUG": "1"}, "True"),
        ({"KIP_DEBUG": "true"}, "True"),
        ({"KIP_DEBUG": "0"}, "False"),
        ({"DEBUG": "true"}, "True"),  # the older name still works
        ({"KIP_DEBUG": "0", "DEBUG": "true"}, "False"),  # the new name wins
    ],
)
def test_make_run_settings_have_debug_off_unless_asked(
    tmp_path: Path, env: dict[str, str], debug: str
) -> None:
    assert _settings_in_a_clean_process(tmp_path, **env)["DEBUG"] == debug


def test_production_has_debug_off_whatever_is_asked(tmp_path: Path) -> None:
    got = _settings_in_a_clean_process(
        tmp_path,
        DJANGO_SETTINGS_MODULE="kip_service.settings.production",
        KIP_DEBUG="1",
        SECRET_KEY="x",
        KIP_CPR_HASH_KEY="x",
        KIP_CPR_ENCRYPTION_KEY="x",
        KIP_BASE_URL="https://kip.example.dk",
        DATABASE_URL="postgres://u@127.0.0.1:5432/none",
    )
    assert got["DEBUG"] == "False"


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "django.core.cache.backends.filebased.FileBasedCache"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/9"}, "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_cache_is_shared_between_web_processes(
    tmp_path: Path, env: dict[str, str], backend: str
) -> None:
    """gunicorn runs several processes: the throttle's counts must not live in one of them."""
    assert _settings_in_a_clean_process(tmp_path, **env)["CACHE"] == backend


def test_make_run_seeds_the_demo_with_debug_off() -> None:
    recipe = (ROOT / "Makefile").read_text().split("\nprepare:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py seed_demo --force" in recipe
