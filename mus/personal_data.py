"""The MUS app's part of the personal data export (see kompetence.personal_data): the
person's MUS conversations with the shared notes, and every version of their
development plans as JSON, with signatures and the stored PDFs; and, as a private
section, the person's own preparation notes.

Preparation notes are read only by their author. The person's own notes are a
private section: in their own download, never in one HR makes on their behalf. The
leader's notes are the leader's and are never read here: notes are fetched with
`author=person`.

Nine queries whatever the number of conversations, plans and versions (one more for
the private notes); the PDFs are read from the storage, not the database.

And its part of the GDPR deletion (annualcycle.retention): a leaver's MUS
conversations with their preparation notes, and their development plans with every
version, signature and stored PDF, are deleted."""

from __future__ import annotations

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from kompetence.infra.extensions import DataDecision, Reason, not_personal_data
from kompetence.models import Person
from kompetence.personal_data import json_bytes, person_ref
from mus.models import (
    AgendaQuestion,
    CheckInActivity,
    Conversation,
    ConversationGroup,
    Plan,
    PlanActivity,
    PlanChange,
    PlanCheckIn,
    PlanGoal,
    PlanPdf,
    PlanVersion,
    PreparationNote,
    Signature,
    SignatureDelegation,
)

DESCRIPTION = _(
    "mus_samtaler.json: dine MUS-samtaler (tidspunkt, sted, leder, status) og de fælles "
    "noter. Mappen udviklingsplaner: hver version af dine "
    "udviklingsplaner som JSON (mål, aktiviteter, lederens støtte, andre aftaler, "
    "opfølgning og underskrifter med tidspunkt og SHA-256-kontrolsum af det underskrevne "
    "indhold) og den underskrevne plan som PDF, når den er lavet."
)

PRIVATE_DESCRIPTION = _(
    "mus_forberedelse.json: dine private forberedelsesnoter til dine MUS-samtaler, som "
    "kun du kan læse."
)


def _conversations(person: Person) -> list[dict]:
    conversations = (
        Conversation.objects.filter(employee=person)
        .select_related("leader", "round", "group")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "kind": conversation.get_kind_display(),
            "starts_at": conversation.starts_at,
            "ends_at": conversation.ends_at,
            "is_online": conversation.is_online,
            "location": conversation.location,
            "status": conversation.get_status_display(),
            "held_at": conversation.held_at,
            "leader": person_ref(conversation.leader),
            "evaluation_round": conversation.round.name if conversation.round else None,
            "shared_notes": conversation.shared_notes,
            "group_shared_notes": conversation.group.shared_notes if conversation.group else None,
        }
        for conversation in conversations
    ]


def private_files(person: Person) -> dict[str, bytes]:
    """The person's own preparation notes for their own conversations: one query."""
    notes = (
        PreparationNote.objects.filter(author=person, conversation__employee=person)
        .select_related("conversation__leader", "question")
        .order_by("conversation__starts_at", "conversation_id", "question__order", "pk")
    )
    conversations: dict[int, dict] = {}
    for note in notes:
        conversation = note.conversation
        entry = conversations.setdefault(
            conversation.pk,
            {
                "conversation_at": conversation.starts_at,
                "leader": person_ref(conversation.leader),
                "my_preparation": [],
            },
        )
        entry["my_preparation"].append(
            {
                "question": note.question.text if note.question else None,
                "text": note.text,
                "updated_at": note.updated_at,
            }
        )
    return {"mus_forberedelse.json": json_bytes(list(conversations.values()))}


def _plans(person: Person):
    versions = PlanVersion.objects.order_by("number").prefetch_related(
        Prefetch(
            "goals",
            queryset=PlanGoal.objects.order_by("order", "pk").prefetch_related("competences"),
        ),
        Prefetch(
            "activities",
            queryset=PlanActivity.objects.select_related("course", "session").order_by(
                "order", "pk"
            ),
        ),
        Prefetch("signatures", queryset=Signature.objects.select_related("signer")),
        Prefetch(
            "check_ins",
            queryset=PlanCheckIn.objects.order_by("held_on", "pk").prefetch_related(
                Prefetch("activities", queryset=CheckInActivity.objects.select_related("activity"))
            ),
        ),
        Prefetch(
            "pdfs",
            queryset=PlanPdf.objects.filter(status=PlanPdf.Status.READY).order_by(
                "language", "archival"
            ),
        ),
    )
    return (
        Plan.objects.filter(employee=person)
        .select_related("employee", "leader", "conversation")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("created_at", "pk")
    )


def _version_data(plan: Plan, version: PlanVersion, latest: int, pdf_names: list[str]) -> dict:
    goals = list(version.goals.all())
    goal_numbers: dict[int | None, int] = {
        goal.pk: number for number, goal in enumerate(goals, start=1)
    }
    return {
        "plan": plan.pk,
        "version": version.number,
        "is_latest_version": version.number == latest,
        "conversation_at": plan.conversation.starts_at,
        "employee": person_ref(plan.employee),
        "leader": person_ref(plan.leader),
        "created_at": version.created_at,
        "updated_at": version.updated_at,
        "goals": [
            {
                "number": goal_numbers[goal.pk],
                "text": goal.text,
                "target_level": goal.target_level,
                "competences": [competence.name for competence in goal.competences.all()],
            }
            for goal in goals
        ],
        "activities": [
            {
                "kind": activity.get_kind_display(),
                "title": activity.title,
                "description": activity.description,
                "goal": goal_numbers.get(activity.goal_id),
                "deadline": activity.deadline,
                "status": activity.get_status_display(),
                "done_on": activity.done_on,
                "done_note": activity.done_note,
                "course": (
                    {"code": activity.course.code, "title": activity.course.title}
                    if activity.course
                    else None
                ),
                "session": (
                    {"starts_at": activity.session.starts_at, "place": activity.session.place}
                    if activity.session
                    else None
                ),
            }
            for activity in version.activities.all()
        ],
        "leader_support": version.leader_support,
        "other_agreements": version.other_agreements,
        "follow_up_date": version.follow_up_date,
        "signatures": [
            {
                "role": signature.get_role_display(),
                "signer": person_ref(signature.signer),
                "signed_at": signature.signed_at,
                "content_hash_sha256": signature.content_hash,
            }
            for signature in version.signatures.all()
        ],
        "check_ins": [
            {
                "held_on": check_in.held_on,
                "note": check_in.note,
                "activities": [
                    {
                        "activity": entry.activity.title,
                        "status": entry.get_status_display(),
                        "note": entry.note,
                    }
                    for entry in check_in.activities.all()
                ],
            }
            for check_in in version.check_ins.all()
        ],
        "pdf_files": pdf_names,
    }


def _pdf_bytes(pdf: PlanPdf) -> bytes | None:
    """The stored PDF, or None when its file has gone from the storage: a lost file
    must not keep the rest of the person's data from them."""
    if not pdf.file:
        return None
    try:
        with pdf.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def personal_data_files(person: Person) -> dict[str, bytes]:
    files = {"mus_samtaler.json": json_bytes(_conversations(person))}
    for plan in _plans(person):
        versions = list(plan.versions.all())
        latest = max((version.number for version in versions), default=0)
        for version in versions:
            stem = f"udviklingsplaner/plan-{plan.pk}-version-{version.number}"
            pdf_names = []
            for pdf in version.pdfs.all():
                data = _pdf_bytes(pdf)
                if data is not None:
                    suffix = "-arkiv" if pdf.archival else ""
                    name = f"{stem}-{pdf.language}{suffix}.pdf"
                    files[name] = data
                    pdf_names.append(name)
            files[f"{stem}.json"] = json_bytes(_version_data(plan, version, latest, pdf_names))
    return files


def erase(person: Person) -> None:
    plans = Plan.objects.filter(employee=person)
    for name in (
        PlanPdf.objects.filter(version__plan__in=plans)
        .exclude(file="")
        .values_list("file", flat=True)
    ):
        # After the commit: a rolled-back run must not have lost the files.
        transaction.on_commit(partial(default_storage.delete, name))
    Signature.objects.filter(version__plan__in=plans).delete()
    plans.delete()
    PreparationNote.objects.filter(conversation__employee=person).delete()
    # Their signature delegations go with them (cascade).
    Conversation.objects.filter(employee=person).delete()


def erase_counts(person_ids: list[int]) -> dict[str, int]:
    return {
        "conversations": Conversation.objects.filter(employee_id__in=person_ids).count(),
        "plans": Plan.objects.filter(employee_id__in=person_ids).count(),
    }


DECISIONS = {
    Conversation: DataDecision(export=personal_data_files, erase=erase),
    PreparationNote: DataDecision(
        # The person's own notes; the leader's notes on the person's conversations are
        # the leader's working notes, never exported, and deleted with the conversation.
        export=private_files,
        erase=erase,
    ),
    Plan: DataDecision(export=personal_data_files, erase=erase),
    PlanVersion: DataDecision(export=personal_data_files, erase=erase),
    PlanGoal: DataDecision(export=personal_data_files, erase=erase),
    PlanActivity: DataDecision(export=personal_data_files, erase=erase),
    Signature: DataDecision(export=personal_data_files, erase=erase),
    PlanChange: DataDecision(
        export=Reason(
            "who changed a plan version when, shown to an editor whose save clashed; "
            "what the plan says in each version is in the plan's export"
        ),
        erase=erase,  # deleted with the person's plans (cascade)
    ),
    PlanPdf: DataDecision(export=personal_data_files, erase=erase),
    PlanCheckIn: DataDecision(export=personal_data_files, erase=erase),
    CheckInActivity: DataDecision(export=personal_data_files, erase=erase),
    ConversationGroup: DataDecision(
        # The group's shared notes are in each participant's conversation export.
        export=personal_data_files,
        erase=Reason(
            "a group conversation is shared by several employees; a leaver's own "
            "conversation in it is deleted, the group stays for the others"
        ),
    ),
    SignatureDelegation: DataDecision(
        export=Reason(
            "a leader's delegation of signing one conversation's plan; the signatures made "
            "under it are in the plan's export"
        ),
        erase=erase,  # deleted with the leaver's conversations
    ),
    AgendaQuestion: not_personal_data("the kommune's MUS agenda, the same for everyone"),
}
