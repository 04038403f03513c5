"""Row-level security on the login table and on the tables that belong to a protected
table without a `kommune_id` of their own (kompetence.infra.rls). Last in the chain, so every
app's tables exist."""

from django.db import migrations

from kompetence.infra import rls


class Migration(migrations.Migration):
    dependencies = [
        ("annualcycle", "0005_gap_report_background_work"),
        ("catalogue", "0003_course_code"),
        ("kompetence", "0008_sso_identity"),
        ("mus", "0003_signature_delegation"),
        ("profiles", "0004_round_opening_background_work"),
        ("guardian", "0002_generic_permissions_index"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(rls.install, migrations.RunPython.noop, elidable=False)]
