"""Row-level security on the login table and on the tables that belong to a protected
table without a `kommune_id` of their own (kompetence.rls). Last in the chain, so every
app's tables exist."""

from django.db import migrations

from kompetence import rls


class Migration(migrations.Migration):
    dependencies = [
        ("annualcycle", "0004_row_level_security"),
        ("catalogue", "0003_course_code"),
        ("kompetence", "0007_sso_identity"),
        ("mus", "0002_signature_delegation"),
        ("profiles", "0003_round_opening"),
        ("guardian", "0002_generic_permissions_index"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(rls.install, migrations.RunPython.noop, elidable=False)]
