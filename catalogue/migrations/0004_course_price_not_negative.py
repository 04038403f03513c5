from django.db import migrations, models

from kompetence.infra import rls


def no_negative_prices(apps, schema_editor):
    """Before the constraint can hold: every way in (the course form, the catalogue
    import) has refused a negative price, so none is expected. Should one exist all the
    same, stop here and name it rather than guess at a price (it is in the cost figures)."""
    Course = apps.get_model("catalogue", "Course")
    negative = []
    for kommune_id in rls.each_kommune(schema_editor.connection):
        negative += Course.objects.filter(kommune_id=kommune_id, price__lt=0).values_list(
            "kommune_id", "pk", "title"
        )
    if negative:
        raise RuntimeError(
            "Courses with a negative price; correct their price, then migrate again: "
            + "; ".join(f"kommune {k}, course {pk} ({title})" for k, pk, title in negative)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_course_code"),
    ]

    operations = [
        migrations.RunPython(no_negative_prices, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(("price__gte", 0)),
                name="course_price_not_negative",
                violation_error_message="Prisen kan ikke være negativ.",
            ),
        ),
    ]
