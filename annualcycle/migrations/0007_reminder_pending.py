"""A reminder claim is pending until the mail server has taken the e-mail. Claims made
before this migration keep their `sent_at`: they were sent."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annualcycle", "0006_row_level_security_logins"),
        ("kompetence", "0006_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="remindersent",
            name="attempted_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="remindersent",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="remindersent",
            index=models.Index(
                condition=models.Q(("sent_at", None)),
                fields=["attempted_at"],
                name="reminder_pending",
            ),
        ),
    ]
