"""Run Django under the production settings in a subprocess, with a realistic environment.

The database and Redis are at addresses that do not resolve (``.invalid``): what runs here must
not need either, so a check that quietly opened a connection would fail instead of passing.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "kip.example.dk"


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="kip_service.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        KIP_CPR_HASH_KEY=secrets.token_urlsafe(48),
        KIP_CPR_ENCRYPTION_KEY=secrets.token_urlsafe(48),
        DATABASE_URL="postgres://kip:not-used@db.invalid:5432/kip",
        REDIS_URL="redis://redis.invalid:6379/0",
        KIP_BASE_URL=f"https://{HOST}",
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        KIP_PROXY_COUNT="1",
        KIP_VAR_DIR=str(var_dir),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(var_dir: Path, *args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(var_dir, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Requests through Django's test client (a real WSGI request through every middleware), as the
# TLS proxy sends them (X-Forwarded-Proto) or as a probe does (plain HTTP to 127.0.0.1).
PROBE = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client

out = {"hasher": make_password("x").split("$")[0], "responses": {}}
for name, path, headers in json.loads(sys.argv[1]):
    response = Client().get(path, headers=headers)
    out["responses"][name] = {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "headers": {k.lower(): v for k, v in response.items()},
        "cookies": {
            name: {flag: morsel[flag] or False for flag in ("secure", "httponly", "samesite")}
            for name, morsel in response.cookies.items()
        },
    }
print(json.dumps(out))
"""


def probe(var_dir: Path, requests: list[tuple[str, str, dict[str, str]]], **overrides: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(requests)],
        cwd=ROOT,
        env=production_env(var_dir, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
