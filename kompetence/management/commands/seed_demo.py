"""Loads the demo kommuner (Fredericia and Hvidovre). Safe to run again."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from kompetence.demo import DEMO_KOMMUNER, DEMO_PASSWORD, seed_organisation
from kompetence.infra.mail import mail_suppressed
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, User


def _app_demo_modules():
    """Each app may have a `demo` module with `seed(org)`; called in app order, which
    is also the order data flows in (kompetence → profiles → mus/catalogue → annualcycle)."""
    for config in apps.get_app_configs():
        if config.name == "kompetence":
            continue
        if find_spec(f"{config.name}.demo") is not None:
            module = import_module(f"{config.name}.demo")
            if hasattr(module, "seed"):
                yield module


class Command(BaseCommand):
    help = "Creates the demo kommuner with people, units, MED committees and demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kommune",
            choices=sorted(DEMO_KOMMUNER),
            action="append",
            help="Only this demo kommune (may be repeated); default: all of them.",
        )

    def handle(self, *args, **options):
        for slug, (name, _tree) in DEMO_KOMMUNER.items():
            if options["kommune"] and slug not in options["kommune"]:
                continue
            with mail_suppressed(), transaction.atomic():
                kommune, _created = Kommune.objects.get_or_create(
                    slug=slug, defaults={"name": name}
                )
                with kommune_scope(kommune):
                    org = seed_organisation(slug)
                    for module in _app_demo_modules():
                        module.seed(org)
            self.stdout.write(f"{name}: {len(org.units)} enheder, {len(org.people)} personer")
        operator = User.objects.filter(kommune=None, username="operator").first()
        if operator is None:
            User.objects.create_superuser(
                username="operator", email="operator@kompetence.example", password=DEMO_PASSWORD
            )
        # Fresh statistics for the planner: a few thousand new rows in empty tables would
        # otherwise be planned as if the tables were still empty until autovacuum gets
        # round to them (PostgreSQL; on SQLite it fills sqlite_stat1). Inside a caller's
        # transaction it sees that transaction's rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS("Demodata er klar."))
