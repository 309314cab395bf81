"""The lock files (``make lock``): every package pinned to one version with its hashes, the
runtime lock the same versions as the dev lock, and both covering what pyproject.toml asks for.

A dependency added to pyproject.toml without ``make lock`` fails here (and ``make venv``'s
``pip check``), not later in the image.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent.parent
TOML = tomllib.loads((ROOT / "pyproject.toml").read_text())
PYPROJECT = TOML["project"]
# The build backend too: the project is built with --no-build-isolation from the lock.
BUILD = TOML["build-system"]["requires"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\n\s*--hash=sha256:[0-9a-f]{64})+)")


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    entries = [e for e in re.split(r"\n(?=\S)", text) if e.strip() and not e.startswith("#")]
    found: dict[str, str] = {}
    for entry in entries:
        match = PIN.match(entry)
        assert match, f"{name}: not pinned to one version with hashes:\n{entry}"
        found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def test_the_runtime_lock_has_the_dev_locks_versions() -> None:
    base, dev = pins("base.txt"), pins("dev.txt")
    assert len(base) > 30
    assert len(dev) > len(base)
    different = {n: (v, dev.get(n)) for n, v in base.items() if dev.get(n) != v}
    assert not different, f"base.txt and dev.txt disagree (make lock): {different}"


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("base.txt", PYPROJECT["dependencies"] + BUILD),
        ("dev.txt", PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"] + BUILD),
    ],
)
def test_every_dependency_is_locked_within_its_bounds(lock: str, wanted: list[str]) -> None:
    locked = pins(lock)
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is in pyproject.toml, not in {lock}: make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock} pins {name}=={locked[name]}, pyproject.toml asks for {requirement}: make lock"
        )


def test_make_venv_installs_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe
    assert {"requirements/dev.txt", "requirements/base.txt", "pyproject.toml"} <= set(
        recipe.group(1).split()
    )
    assert "pip install --quiet --require-hashes -r requirements/dev.txt" in recipe.group(2)
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in recipe.group(2)
