"""Getting started: the checklist a new kommune's HR sees on the home page until the
kommune is ready for its first round.

Each app contributes the steps it owns through `kompetence.infra.extensions.register_setup_step`
(the core does not know about frameworks or the årshjul); the core's own steps are here.
Every step's status is live, read from the data in one query, so the checklist follows
what HR does and needs no bookkeeping of its own. When every step is done it collapses
to one line that can be opened again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, Q, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kompetence import permissions
from kompetence.infra.extensions import SETUP_STEPS, SetupStep
from kompetence.models import ImportJob, Invitation, Kommune, MEDCommittee, Person


def _organisation_done(kommune: Kommune):
    # A new kommune has only its first HR administrator: people beyond HR, or a finished
    # organisation import, mean the organisation is in.
    imported = ImportJob.objects.filter(
        kommune=kommune, kind="organisation", status=ImportJob.Status.APPLIED
    )
    others = Person.objects.filter(kommune=kommune, is_hr=False)
    return ExpressionWrapper(Q(Exists(imported)) | Q(Exists(others)), output_field=BooleanField())


def _committees_done(kommune: Kommune):
    return Exists(MEDCommittee.objects.filter(kommune=kommune).open())


def _invitations_done(kommune: Kommune):
    # With SSO only nobody is invited: everyone signs in through the kommune's login.
    if kommune.sso_only:
        return Value(True)
    # HR's invitations count; the operator's invitation of the first HR administrator
    # (sent by no person) is not the step, or it would be done before HR started.
    return Exists(Invitation.objects.filter(kommune=kommune, sent_by__isnull=False))


CORE_STEPS = (
    SetupStep(
        "organisation",
        _("Importér organisationen fra løn- eller HR-systemet"),
        "import_upload",
        _organisation_done,
        order=10,
        url_args=("organisation",),
    ),
    SetupStep(
        "med_committees",
        _("Opret MED-udvalgene"),
        "med_committee_list",
        _committees_done,
        order=40,
    ),
    SetupStep(
        "invitations",
        _("Send invitationer til medarbejderne"),
        "invitation_overview",
        _invitations_done,
        order=70,
    ),
)


@dataclass(frozen=True)
class StepStatus:
    step: SetupStep
    done: bool
    url: str


@dataclass(frozen=True)
class Checklist:
    steps: list[StepStatus]

    @property
    def done_count(self) -> int:
        return sum(status.done for status in self.steps)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.steps)


def checklist(kommune: Kommune) -> Checklist:
    """Every registered step with its live status: one query."""
    steps = list(SETUP_STEPS)
    done = {f"step_{index}": step.done(kommune) for index, step in enumerate(steps)}
    row = Kommune.objects.filter(pk=kommune.pk).annotate(**done).values_list(*done).get()
    return Checklist(
        steps=[
            StepStatus(step=step, done=bool(value), url=reverse(step.url_name, args=step.url_args))
            for step, value in zip(steps, row, strict=True)
        ]
    )


def checklist_for(viewer: Person, kommune: Kommune) -> Checklist | None:
    """The checklist, for kommune HR only (it is about the whole kommune)."""
    if not permissions.is_kommune_hr(viewer) or not SETUP_STEPS:
        return None
    return checklist(kommune)
