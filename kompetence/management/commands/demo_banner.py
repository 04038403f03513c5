"""Prints where to open the demo and how to log in."""

from django.conf import settings
from django.core.management.base import BaseCommand

from kompetence.demo import DEMO_KOMMUNER, DEMO_PASSWORD, ROLE_LOGINS


class Command(BaseCommand):
    help = "Prints the demo URLs and logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port, **options):
        domain = settings.KOMPETENCE_DOMAIN
        lines = ["", "Kompetence kører. Åbn en af kommunerne:", ""]
        for slug, (name, _tree) in DEMO_KOMMUNER.items():
            lines.append(f"  {name:<20} http://{slug}.{domain}:{port}/")
        lines += [
            f"  {'Forside':<20} http://{domain}:{port}/",
            f"  {'Platformkonsol':<20} http://{domain}:{port}/platform/  (login: operator)",
            "",
            f"Logins (samme i begge kommuner), adgangskode: {DEMO_PASSWORD}",
        ]
        lines += [f"  {username:<12} {role}" for username, role in ROLE_LOGINS]
        lines.append("")
        self.stdout.write("\n".join(lines))
