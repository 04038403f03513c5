"""Assessment rows hold only what others may read: a self or leader level comes from a
submitted evaluation (profiles.services._publish). Before this, every autosave wrote
the draft's level there; this clears those levels and recomputes assessed and gap of
the rows concerned, and marks every unit's dashboard figures as changed."""

from django.db import migrations, models
from django.db.models import Case, Exists, F, OuterRef, Q, When

from kompetence.infra import rls

LEVEL_FIELDS = (("self", "self_level"), ("leader", "leader_level"))


def _assessed(not_applicable: list[int]) -> Case:
    """The services' rule (profiles.services._assessed): agreed, else leader, else self;
    a "not applicable" level counts as no level. The first level that is set decides."""
    whens = []
    for field in ("agreed_level", "leader_level", "self_level"):
        if not_applicable:
            whens.append(When(Q(**{f"{field}__in": not_applicable}), then=None))
        whens.append(When(Q(**{f"{field}__isnull": False}), then=F(field)))
    return Case(*whens, default=None, output_field=models.SmallIntegerField(null=True))


def drafts_leave_assessments(apps, schema_editor):
    Assessment = apps.get_model("profiles", "Assessment")
    Evaluation = apps.get_model("profiles", "Evaluation")
    EvaluationRound = apps.get_model("profiles", "EvaluationRound")
    ScaleLevel = apps.get_model("profiles", "ScaleLevel")
    OrgUnit = apps.get_model("kompetence", "OrgUnit")
    for kommune_id in rls.each_kommune(schema_editor.connection):
        drafts = Evaluation.objects.filter(
            round_id=OuterRef("round_id"), subject_id=OuterRef("person_id")
        ).exclude(status="submitted")
        for kind, field in LEVEL_FIELDS:
            Assessment.objects.filter(kommune_id=kommune_id, **{f"{field}__isnull": False}).filter(
                Exists(drafts.filter(kind=kind))
            ).update(**{field: None})
        rounds = EvaluationRound.objects.filter(kommune_id=kommune_id).values_list(
            "pk", "version__framework__scale_id"
        )
        for round_id, scale_id in rounds:
            not_applicable = list(
                ScaleLevel.objects.filter(scale_id=scale_id, is_not_applicable=True).values_list(
                    "value", flat=True
                )
            )
            rows = Assessment.objects.filter(kommune_id=kommune_id, round_id=round_id).filter(
                Exists(drafts.filter(kind__in=[kind for kind, _field in LEVEL_FIELDS]))
            )
            rows.update(assessed=_assessed(not_applicable))
            rows.update(gap=F("required") - F("assessed"))
        OrgUnit.objects.filter(kommune_id=kommune_id).update(
            figures_version=F("figures_version") + 1
        )


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0004_round_opening_background_work"),
        ("kompetence", "0004_orgunit_figures_version"),
    ]

    operations = [migrations.RunPython(drafts_leave_assessments, migrations.RunPython.noop)]
