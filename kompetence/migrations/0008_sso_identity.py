"""A login's account at the kommune's identity provider (issuer + sub), under row-level
security like every tenant table (kompetence.infra.rls)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kompetence.infra import rls


class Migration(migrations.Migration):
    dependencies = [
        ("kompetence", "0007_import_job_background_work"),
    ]

    operations = [
        migrations.CreateModel(
            name="SsoIdentity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("issuer", models.CharField(max_length=255, verbose_name="udsteder")),
                (
                    "subject",
                    models.CharField(max_length=255, verbose_name="id hos udstederen (sub)"),
                ),
                ("linked_at", models.DateTimeField(auto_now_add=True)),
                (
                    "kommune",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="kompetence.kommune",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sso_identities",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "SSO-konto",
                "verbose_name_plural": "SSO-konti",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kommune", "issuer", "subject"), name="sso_identity_subject_unique"
                    ),
                    models.UniqueConstraint(
                        fields=("user", "issuer"), name="sso_identity_one_per_user"
                    ),
                ],
            },
        ),
        migrations.RunPython(rls.install, migrations.RunPython.noop, elidable=False),
    ]
