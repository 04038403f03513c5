"""What the console's pages read. Never a kommune's personal data: a kommune's people
are counted, not listed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kompetence.console.models import OperatorAction
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, Person


@dataclass(frozen=True)
class KommuneRow:
    kommune: Kommune
    people: int
    sign_in: str


def sign_in_mode(kommune: Kommune) -> str:
    """How the kommune's people sign in, in words."""
    if kommune.sso_only:
        return _("Kun SSO")
    if kommune.sso_enabled:
        return _("SSO og adgangskode")
    return _("Adgangskode")


def people_count(kommune: Kommune) -> int:
    """How many active people the kommune has. Counted inside the kommune's scope:
    outside it the scoped manager refuses, and row-level security shows no kommune's
    people at all."""
    with kommune_scope(kommune):
        return Person.objects.filter(kommune=kommune, is_active=True).count()


def kommune_rows() -> list[KommuneRow]:
    """Every kommune, open or closed, with its number of people. One count per kommune,
    each in its own scope (see `people_count`); Denmark has 98 kommuner."""
    return [
        KommuneRow(kommune=kommune, people=people_count(kommune), sign_in=sign_in_mode(kommune))
        for kommune in Kommune.objects.order_by("name")
    ]


def operator_actions() -> QuerySet[OperatorAction]:
    return OperatorAction.objects.select_related("operator", "target_kommune").order_by(
        "-at", "-id"
    )


def actions_for(kommune: Kommune, *, limit: int = 20) -> list[OperatorAction]:
    return list(operator_actions().filter(target_kommune=kommune)[:limit])
