"""English is a complete second language: every Danish text in the code has a
translation, and the committed catalogue is up to date with the code."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


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


def test_committed_english_catalogue_is_complete():
    assert _untranslated(polib.pofile(str(CATALOGUE))) == []


def test_every_text_in_the_code_is_in_the_english_catalogue(tmp_path, settings, monkeypatch):
    """Runs makemessages on a copy of the project: a new, untranslated text in a
    template or in Python shows up here by its Danish wording."""
    base = Path(settings.BASE_DIR)
    for folder in (
        "kompetence",
        "profiles",
        "mus",
        "catalogue",
        "annualcycle",
        "templates",
        "locale",
    ):
        shutil.copytree(base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    missing = _untranslated(
        polib.pofile(str(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    )
    assert missing == [], "Translate these in locale/en/LC_MESSAGES/django.po"
