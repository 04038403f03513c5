"""Row-level security on every tenant table (kompetence.infra.rls). Last in the chain, so
every app's tables exist; a later migration that adds a tenant table runs
`kompetence.infra.rls.install` again."""

from django.db import migrations

from kompetence.infra import rls


class Migration(migrations.Migration):
    dependencies = [
        ("annualcycle", "0003_unit_competence_figures"),
        ("catalogue", "0003_course_code"),
        ("kompetence", "0004_orgunit_figures_version"),
        ("mus", "0001_initial"),
        ("profiles", "0002_alter_jobprofile_job_profile_name_unique"),
        ("guardian", "0002_generic_permissions_index"),
    ]

    operations = [migrations.RunPython(rls.install, migrations.RunPython.noop, elidable=False)]
