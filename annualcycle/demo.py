"""Demo årshjul: the default (Ballerup) cycle for the current year."""

from __future__ import annotations

from django.utils import timezone

from annualcycle import services
from kompetence.demo import DemoOrg


def seed(org: DemoOrg) -> None:
    services.cycle_create_default(
        kommune=org.kommune, start_year=services.cycle_start_year(timezone.localdate())
    )
