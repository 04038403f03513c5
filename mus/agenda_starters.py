"""Starter MUS agendas: files in `mus/agendas/` (format in mus/schemas/agenda-v1.schema.json)
that HR can make the kommune's agenda in one click (`services.agenda_starter_apply`).

The agenda has no draft of its own: HR edits the questions afterwards on the agenda page,
as any other question."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema

AGENDAS_DIR = Path(__file__).parent / "agendas"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "agenda-v1.schema.json"


@dataclass(frozen=True)
class StarterQuestion:
    text: str
    help_text: str


@dataclass(frozen=True)
class StarterAgenda:
    slug: str  # the file's name without .json, which is also its address
    name: str
    description: str
    questions: tuple[StarterQuestion, ...]


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load(path: Path) -> StarterAgenda:
    """One file as a starter agenda; jsonschema.ValidationError if it breaks the format."""
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, _schema(), cls=jsonschema.Draft202012Validator)
    return StarterAgenda(
        slug=path.stem,
        name=document["name"],
        description=document.get("description", ""),
        questions=tuple(
            StarterQuestion(text=q["text"].strip(), help_text=q.get("help_text", "").strip())
            for q in document["questions"]
        ),
    )


@cache
def starter_agendas() -> tuple[StarterAgenda, ...]:
    """Every starter agenda, by name. Read once per process: the files are part of the code."""
    return tuple(sorted((load(path) for path in AGENDAS_DIR.glob("*.json")), key=lambda a: a.name))


def starter_agenda(slug: str) -> StarterAgenda | None:
    return next((agenda for agenda in starter_agendas() if agenda.slug == slug), None)
