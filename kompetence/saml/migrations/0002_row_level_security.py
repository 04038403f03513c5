from django.db import migrations

from kompetence.infra import rls


class Migration(migrations.Migration):
    dependencies = [("saml", "0001_initial")]

    operations = [
        migrations.RunPython(rls.install, migrations.RunPython.noop, elidable=False),
    ]
