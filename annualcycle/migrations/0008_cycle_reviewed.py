# Kommune HR confirms having gone through a cycle (the getting-started checklist).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annualcycle", "0007_reminder_pending"),
        ("kompetence", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="cycle",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="kompetence.person",
            ),
        ),
    ]
