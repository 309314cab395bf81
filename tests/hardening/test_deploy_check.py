"""The production settings pass ``manage.py check --deploy --fail-level WARNING``, and the
headers they promise are on real responses: HSTS over HTTPS, HTTP redirected to HTTPS except
for the probes, a Content-Security-Policy without 'unsafe-inline'.
"""

from __future__ import annotations

from pathlib import Path

from tests.hardening.production import HOST, manage, probe

HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Language": "da"}
HTTP = {"Host": HOST, "X-Forwarded-Proto": "http"}
# What compose's health check sends: plain HTTP to the container, no proxy header.
BARE_PROBE = {"Host": "127.0.0.1:8000"}
YEAR = 365 * 24 * 3600


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if part.strip():
            name, *values = part.split()
            parsed[name] = values
    return parsed


def assert_strict_csp(policy: str) -> None:
    found = directives(policy)
    for name in ("default-src", "script-src", "style-src"):
        assert name in found, policy
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(found[name]), policy
    assert found["object-src"] == ["'none'"], policy
    assert found["frame-ancestors"] == ["'none'"], policy


def test_deploy_check_passes_with_no_warning(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output.upper(), output
    # The one silenced warning is the HSTS preload list (off by default, on purpose).
    assert "(1 silenced)" in output, output


def test_deploy_check_with_preload_silences_nothing(tmp_path: Path) -> None:
    result = manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_PRELOAD="true"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)" in output, output


def test_deploy_check_fails_on_a_weakened_setting(tmp_path: Path) -> None:
    """The check above can fail: each of these turns one protection off (one run for all)."""
    weakened = {
        "SECURE_SSL_REDIRECT": "false",  # security.W008
        "SECURE_HSTS_SECONDS": "0",  # security.W004
        "SECRET_KEY": "short-and-guessable",  # security.W009
    }
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **weakened)
    assert result.returncode != 0
    for warning in ("security.W008", "security.W004", "security.W009"):
        assert warning in result.stderr, result.stderr


def test_production_responses_carry_hsts_csp_and_redirect(tmp_path: Path) -> None:
    out = probe(
        tmp_path,
        [
            ("login_https", "/login/", HTTPS),
            ("login_http", "/login/?next=/plans/", HTTP),
            ("healthz_probe", "/healthz", BARE_PROBE),
            ("readyz_probe", "/readyz", BARE_PROBE),
            ("healthz_https", "/healthz", HTTPS),
        ],
    )
    responses = out["responses"]

    page = responses["login_https"]
    assert page["status"] == 200
    headers = page["headers"]
    assert headers["strict-transport-security"] == f"max-age={YEAR}; includeSubDomains"
    assert_strict_csp(headers["content-security-policy"])
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    # The login form's CSRF cookie goes over HTTPS only.
    assert page["cookies"]["csrftoken"]["secure"]
    assert page["cookies"]["csrftoken"]["samesite"] == "Lax"

    # Plain HTTP through the proxy: to the same place over HTTPS, without HSTS (browsers
    # ignore it on HTTP).
    redirect = responses["login_http"]
    assert redirect["status"] == 301
    assert redirect["location"] == f"https://{HOST}/login/?next=/plans/"
    assert "strict-transport-security" not in redirect["headers"]

    # The probes stay reachable over plain HTTP: /healthz answers, /readyz answers with what it
    # found (here: no database and no Redis, as the test gives it none), neither redirects.
    assert responses["healthz_probe"]["status"] == 200
    assert responses["readyz_probe"]["status"] == 503
    assert responses["healthz_https"]["headers"]["strict-transport-security"]

    # A new password is hashed with Argon2 under the production settings.
    assert out["hasher"] == "argon2"


def test_hsts_preload_when_asked(tmp_path: Path) -> None:
    out = probe(
        tmp_path,
        [("login_https", "/login/", HTTPS)],
        SECURE_HSTS_PRELOAD="true",
        SECURE_HSTS_SECONDS="63072000",
    )
    hsts = out["responses"]["login_https"]["headers"]["strict-transport-security"]
    assert hsts == "max-age=63072000; includeSubDomains; preload"
