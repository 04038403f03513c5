from django.db import migrations, models
from django.db.models import Count

from kompetence.infra import rls


def keep_the_newest_general_note(apps, schema_editor):
    """Before the constraint can hold: where one person has several general notes for
    one conversation (two first saves at once could both insert), keep the newest."""
    PreparationNote = apps.get_model("mus", "PreparationNote")
    for kommune_id in rls.each_kommune(schema_editor.connection):
        general = PreparationNote.objects.filter(kommune_id=kommune_id, question=None)
        doubled = (
            general.values("conversation_id", "author_id")
            .annotate(count=Count("pk"))
            .filter(count__gt=1)
        )
        for pair in doubled:
            notes = general.filter(
                conversation_id=pair["conversation_id"], author_id=pair["author_id"]
            ).order_by("-updated_at", "-pk")
            general.filter(pk__in=list(notes.values_list("pk", flat=True)[1:])).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mus", "0003_signature_delegation"),
    ]

    operations = [
        migrations.RunPython(keep_the_newest_general_note, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="preparationnote",
            constraint=models.UniqueConstraint(
                condition=models.Q(("question__isnull", True)),
                fields=("conversation", "author"),
                name="preparation_note_general_unique",
            ),
        ),
    ]
