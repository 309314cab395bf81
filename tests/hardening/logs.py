"""What a realistic run does with CPR numbers and secrets, and the grep of its logs afterwards.

``exercise`` drives a running service over HTTP the ways a CPR number or a password reaches it:
searches (API ``?cpr=``, the citizen page's search), registrations (new, twice, invalid), the
CPR where an id belongs, a CPR typed as a username until the lockout, wrong passwords, a
Referer that carries one, bad JSON. ``leaks`` then lists every log line holding a demo CPR (in
any spelling the service accepts or a URL carries) or a secret.
"""

from __future__ import annotations

import http.cookiejar
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from apps.organisations.management.commands.seed_demo import CITIZENS
from tests.helpers import NEW_CPR

# A citizen registered during the run, never part of the demo data.
REGISTERED = NEW_CPR
# Not a valid CPR number (no 32nd day) but shaped like one: it must not be logged either.
INVALID = "3201801234"


def secret_env() -> dict[str, str]:
    """Fresh keys for a run, so the grep knows exactly what to look for."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "KIP_CPR_HASH_KEY": secrets.token_urlsafe(32),
        "KIP_CPR_ENCRYPTION_KEY": secrets.token_urlsafe(32),
    }


def cprs() -> list[str]:
    return [number for number, *_ in CITIZENS] + [REGISTERED, INVALID]


def spellings(digits: str) -> set[str]:
    date, serial = digits[:6], digits[6:]
    return {
        digits,
        f"{date}-{serial}",
        f"{date} {serial}",
        f"{date}+{serial}",
        f"{date}%20{serial}",
        f"{date}%2D{serial}",
        f"{date}%2d{serial}",
    }


def leaks(log: str, secret_values: dict[str, str], password: str) -> list[str]:
    """Each offending line, with what it holds. The password counts in the service's own output
    (``[web]``, ``[worker]`` lines): the launcher's banner shows it to the person at the
    keyboard on purpose (embedded demo mode)."""
    found = []
    for line in log.splitlines():
        what = [f"CPR {d}" for d in cprs() if any(s in line for s in spellings(d))]
        what += [name for name, value in secret_values.items() if value in line]
        if password in line and line.startswith(("[web]", "[worker]", "[beat]")):
            what.append("the demo password")
        if what:
            found.append(f"{', '.join(what)}: {line}")
    return found


class Session:
    """A browser, roughly: cookies, CSRF token, Referer."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def send(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        all_headers = {"Accept-Language": "da", **(headers or {})}
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["X-CSRFToken"] = self.csrf()
            all_headers.setdefault("Referer", self.base + path)
        request = urllib.request.Request(  # noqa: S310 - 127.0.0.1
            self.base + path, data=body, headers=all_headers, method=method
        )
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def api(
        self, method: str, path: str, token: str = "", data: Any = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        body = raw if raw is not None else (None if data is None else json.dumps(data).encode())
        status, text = self.send(method, path, body=body, headers=headers)
        try:
            return status, json.loads(text or "null")
        except ValueError:
            return status, text


def exercise(base: str, password: str) -> None:
    jens, mette = CITIZENS[0][0], CITIZENS[1][0]
    api = Session(base)

    # Logins that fail: a CPR number typed as the username (until the lockout answers), and a
    # CPR number or the wrong secret typed as a password.
    for _ in range(7):
        status, _body = api.api(
            "POST", "/api/v1/auth/token/", data={"username": jens, "password": mette}
        )
        assert status in {400, 401, 403, 429}, status
    status, _body = api.api(
        "POST", "/api/v1/auth/token/", data={"username": "chp.caseworker", "password": jens}
    )
    assert status in {400, 401}, status
    status, body = api.api(
        "POST",
        "/api/v1/auth/token/",
        data={"username": "addiction.caseworker", "password": password},
    )
    assert status == 200, body
    token = body["token"]

    # Searches by CPR in every spelling, through the API (a query string).
    for spelling in (jens, f"{jens[:6]}-{jens[6:]}", f"{mette[:6]} {mette[6:]}"):
        query = urllib.parse.urlencode({"cpr": spelling})
        status, body = api.api("GET", f"/api/v1/citizens/?{query}", token)
        assert status == 200, body
    status, body = api.api("GET", f"/api/v1/citizens/?cpr={INVALID}", token)
    assert status == 400, body

    # Registration: a new citizen, the same one again, an invalid number, bad JSON.
    new = {"cpr": f"{REGISTERED[:6]}-{REGISTERED[6:]}", "name": "Log Testesen"}
    status, body = api.api("POST", "/api/v1/citizens/", token, new)
    assert status == 201, body
    status, body = api.api("POST", "/api/v1/citizens/", token, new)
    assert 400 <= status < 500, body
    status, body = api.api("POST", "/api/v1/citizens/", token, {"cpr": INVALID, "name": "X Y"})
    assert status == 400, body
    assert "cpr" in json.dumps(body), body
    raw = f'{{"cpr": "{jens}", "name": '.encode()
    status, body = api.api("POST", "/api/v1/citizens/", token, raw=raw)
    assert status == 400, body

    # A CPR number where an id belongs, on the API and a page, with a Referer carrying one.
    status, _body = api.api("GET", f"/api/v1/citizens/{jens}/", token)
    assert status == 404
    referer = {"Referer": f"{base}/citizens/?q={jens[:6]}-{jens[6:]}"}
    status, _page = api.send("GET", f"/citizens/{mette}/", headers=referer)
    assert status in {200, 404}, status  # the login page, after a redirect

    # The pages: a failed login with a CPR number as the username, a real login, the citizen
    # search (POST and a link's GET), a registration with an invalid number, the access log
    # filtered by CPR (a manager).
    page = Session(base)
    page.send("GET", "/login/")
    as_typed = f"{mette[:6]}-{mette[6:]}"
    status, _page = page.send("POST", "/login/", form={"username": as_typed, "password": jens})
    assert status == 200, status  # the login page again, saying it did not work
    status, _page = page.send(
        "POST", "/login/", form={"username": "addiction.caseworker", "password": password}
    )
    assert status == 200, status  # redirected to My work
    status, _page = page.send("POST", "/citizens/", form={"q": jens})
    assert status == 200, status
    status, _page = page.send("GET", f"/citizens/?q={mette[:6]}-{mette[6:]}")
    assert status == 200, status
    status, _page = page.send("POST", "/citizens/new/", form={"name": "X Y", "cpr": INVALID})
    assert status in {200, 400}, status

    manager = Session(base)
    manager.send("GET", "/login/")
    status, _page = manager.send(
        "POST", "/login/", form={"username": "addiction.manager", "password": password}
    )
    assert status == 200, status
    status, _page = manager.send("GET", f"/audit/?citizen={jens}")
    assert status == 200, status
