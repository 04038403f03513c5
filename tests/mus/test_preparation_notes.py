"""A person has at most one general preparation note (no agenda question) per
conversation, held by the database: a second row would make every later save of it
raise `MultipleObjectsReturned`."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from mus import services
from mus.models import PreparationNote
from tests.mus.factories import build_conversation

pytestmark = pytest.mark.django_db

MIGRATION = "0004_preparation_note_general_unique"


def test_a_second_general_note_is_refused_by_the_database(org_a):
    conversation = build_conversation(org_a)
    with org_a.scope():
        services.preparation_note_save(
            conversation=conversation, author=org_a.employee, question=None, text="Først"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            PreparationNote.objects.create(
                kommune=org_a.kommune,
                conversation=conversation,
                author=org_a.employee,
                question=None,
                text="En til",
            )
        # The other party's general note, and notes on questions, are their own rows.
        services.preparation_note_save(
            conversation=conversation, author=org_a.leader, question=None, text="Lises"
        )
        question = services.agenda_questions(kommune=org_a.kommune)[0]
        services.preparation_note_save(
            conversation=conversation, author=org_a.employee, question=question, text="Q"
        )
        services.preparation_note_save(
            conversation=conversation, author=org_a.employee, question=None, text="Rettet"
        )
        general = PreparationNote.objects.filter(conversation=conversation, question=None)
        assert sorted(general.values_list("text", flat=True)) == ["Lises", "Rettet"]


def test_the_migration_keeps_the_newest_of_doubled_general_notes(org_a, org_b):
    conversation = build_conversation(org_a)
    other = build_conversation(org_b)
    # The state before the migration: no constraint on the general note. Dropped inside
    # the test's transaction, so the rollback puts it back.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX preparation_note_general_unique")
    now = timezone.now()
    with org_a.scope():
        for age, text in ((2, "gammel"), (0, "nyest"), (3, "ældst")):
            note = PreparationNote.objects.create(
                kommune=org_a.kommune, conversation=conversation, author=org_a.employee, text=text
            )
            PreparationNote.objects.filter(pk=note.pk).update(
                updated_at=now - datetime.timedelta(days=age)
            )
        services.preparation_note_save(
            conversation=conversation, author=org_a.leader, question=None, text="Lises"
        )
    with org_b.scope():
        for text in ("B1", "B2"):
            PreparationNote.objects.create(
                kommune=org_b.kommune, conversation=other, author=org_b.employee, text=text
            )
        with pytest.raises(PreparationNote.MultipleObjectsReturned):
            services.preparation_note_save(
                conversation=other, author=org_b.employee, question=None, text="B3"
            )

    migration = importlib.import_module(f"mus.migrations.{MIGRATION}")
    apps = MigrationLoader(connection).project_state(("mus", MIGRATION)).apps
    migration.keep_the_newest_general_note(apps, SimpleNamespace(connection=connection))

    with org_a.scope():
        general = PreparationNote.objects.filter(conversation=conversation, question=None)
        assert sorted(general.values_list("text", flat=True)) == ["Lises", "nyest"]
    with org_b.scope():
        assert list(PreparationNote.objects.values_list("text", flat=True)) == ["B2"]
        services.preparation_note_save(
            conversation=other, author=org_b.employee, question=None, text="B3"
        )
        assert list(PreparationNote.objects.values_list("text", flat=True)) == ["B3"]
