"""The Danish catalogue is complete: every translatable string in the code has a translation,
and the compiled catalogue that ships matches it.

Extraction needs GNU gettext (xgettext). Without it the check is skipped on a developer's
machine, but fails in CI (``CI`` or ``KIP_REQUIRE_SERVICES=1``), where .ci/run installs it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _need_gettext() -> None:
    if shutil.which("xgettext") and shutil.which("msgfmt"):
        return
    message = "GNU gettext (xgettext, msgfmt) is not installed"
    if os.environ.get("CI") or os.environ.get("KIP_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _untranslated(po: polib.POFile) -> list[str]:
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            missing.append(f"fuzzy: {entry.msgid}")
        elif entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        elif not entry.msgstr:
            missing.append(entry.msgid)
    return missing


def test_danish_catalogue_covers_every_string_in_the_code(tmp_path):
    _need_gettext()
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "bench", "tests", "*.pyc"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kip_service.settings.test"},
    )
    extracted = polib.pofile(str(copy / "locale" / "da" / "LC_MESSAGES" / "django.po"))
    missing = _untranslated(extracted)
    assert not missing, (
        f"{len(missing)} strings lack a Danish translation; run "
        "`make messages` and translate locale/da/LC_MESSAGES/django.po:\n" + "\n".join(missing[:40])
    )


def test_compiled_catalogue_matches_the_translations():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(MO))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags or not (entry.msgstr or entry.msgstr_plural):
            continue
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"not compiled: {entry.msgid!r}; run `make messages`"
        if entry.msgid_plural:
            assert compiled[key] == {int(k): v for k, v in entry.msgstr_plural.items()}
        else:
            assert compiled[key] == entry.msgstr, (
                f"stale .mo for {entry.msgid!r}; run `make messages`"
            )


def test_english_is_the_fallback_and_danish_is_served(client):
    from django.utils import translation

    with translation.override("da"):
        assert translation.gettext("Log in") == "Log ind"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
