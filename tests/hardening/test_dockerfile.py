"""The image's build step runs under the production settings with placeholder values: those
values must be enough for the settings to load (nothing here runs docker)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def build_step_env() -> dict[str, str]:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    export = re.search(r"^RUN export (.*?)&&", dockerfile, re.MULTILINE)
    assert export, "the build step's RUN export ... line"
    return dict(word.split("=", 1) for word in shlex.split(export.group(1)))


def test_the_build_steps_placeholders_load_the_production_settings(tmp_path: Path) -> None:
    env = build_step_env()
    assert env["DJANGO_SETTINGS_MODULE"] == "kip_service.settings.production"
    env.update(KIP_VAR_DIR=str(tmp_path), PATH="/usr/bin:/bin", PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
