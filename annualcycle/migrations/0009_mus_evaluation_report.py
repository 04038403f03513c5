"""HovedMED's yearly MUS evaluation: a report built in the background, with row-level
security on its table (kompetence.infra.rls)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from kompetence.infra import rls


class Migration(migrations.Migration):
    dependencies = [
        ("annualcycle", "0008_cycle_reviewed"),
        ("kompetence", "0010_med_committee_closed_and_accessibility_statement"),
    ]

    operations = [
        migrations.CreateModel(
            name="MusEvaluationReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=1)),
                ("queued_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "failure",
                    models.CharField(
                        blank=True,
                        choices=[
                            (
                                "storage",
                                "Filen kunne ikke gemmes, fordi fillageret ikke svarede eller ikke kan skrives i.",
                            ),
                            ("database", "Databasen svarede ikke, mens arbejdet blev gjort."),
                            ("timeout", "Arbejdet tog for lang tid og blev stoppet."),
                            (
                                "gave_up",
                                "Arbejdet blev ikke færdigt efter flere forsøg: serveren, der gjorde det, stoppede undervejs.",
                            ),
                            ("error", "Der skete en uventet fejl i systemet."),
                        ],
                        max_length=16,
                    ),
                ),
                ("period_start", models.DateField(verbose_name="fra")),
                ("period_end", models.DateField(verbose_name="til")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Under udarbejdelse"),
                            ("ready", "Klar"),
                            ("failed", "Fejlede"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("xlsx", models.FileField(blank=True, upload_to="reports/%Y/%m/")),
                ("pdf", models.FileField(blank=True, upload_to="reports/%Y/%m/")),
                ("people", models.PositiveIntegerField(blank=True, null=True)),
                ("error", models.CharField(blank=True, max_length=300)),
                ("requested_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "kommune",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="kompetence.kommune",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="kompetence.person",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="kompetence.orgunit",
                        verbose_name="enhed (med underenheder)",
                    ),
                ),
            ],
            options={
                "verbose_name": "MUS-evaluering",
                "verbose_name_plural": "MUS-evalueringer",
                "ordering": ["-requested_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("period_end__gte", models.F("period_start"))),
                        name="mus_evaluation_period_order",
                        violation_error_message="Perioden slutter, før den starter.",
                    )
                ],
            },
        ),
        migrations.RunPython(rls.install, migrations.RunPython.noop, elidable=False),
    ]
