"""Builders for MUS conversations and plans in tests, through the services."""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass

from django.utils import timezone

from kompetence.infra.tenancy import kommune_scope
from mus import content, selectors, services, signing
from mus.models import (
    AgendaQuestion,
    Conversation,
    ConversationGroup,
    Plan,
    PlanActivity,
    PlanGoal,
    PlanVersion,
)
from profiles.models import Competence


def build_conversation(org, *, days: int = 7) -> Conversation:
    with kommune_scope(org.kommune):
        return services.conversation_schedule(
            employee=org.employee,
            leader=org.leader,
            starts_at=timezone.now() + datetime.timedelta(days=days),
            duration_minutes=60,
            is_online=False,
            location="Mødelokale 2",
        )


def build_group(org, *, leader=None, participants=None, days: int = 7) -> ConversationGroup:
    """A GRUS/TUS through the service: by default the chef with the colleague and the
    employee of the sibling team (the employee is left free for a MUS)."""
    with kommune_scope(org.kommune):
        return services.group_conversation_schedule(
            leader=leader or org.chef,
            participants=participants or [org.colleague, org.other_employee],
            title="Teamets GRUS",
            starts_at=timezone.now() + datetime.timedelta(days=days),
            duration_minutes=90,
            is_online=False,
            location="Mødelokale 3",
        )


def build_plan(org, conversation: Conversation | None = None, *, activities: int = 3) -> Plan:
    """A plan with two goals and `activities` activities, not signed."""
    conversation = conversation or build_conversation(org)
    with kommune_scope(org.kommune):
        plan = services.plan_get_or_create(conversation=conversation)
        version = selectors.current_version(plan)
        competences = list(
            Competence.objects.filter(version_id=conversation.round.version_id)[:2]
            if conversation.round_id
            else []
        )
        first = services.goal_add(
            version=version,
            revision=version.revision,
            text="Bliver tryg i nye sagstyper",
            competences=competences[:1],
            target_level=4,
        )
        version.refresh_from_db()
        services.goal_add(version=version, revision=version.revision, text="Deler viden i teamet")
        for index in range(activities):
            version.refresh_from_db()
            services.activity_add(
                version=version,
                revision=version.revision,
                kind=PlanActivity.Kind.EXTERNAL if index == 0 else PlanActivity.Kind.SIDE_BY_SIDE,
                title=f"Aktivitet {index + 1}",
                goal=first if index == 0 else None,
                deadline=timezone.localdate() + datetime.timedelta(days=90 + index),
            )
        return plan


def sign(version: PlanVersion, signer, password: str):
    """Signs the version as it is now, as a signer who has just read it (in the scope)."""
    fresh = PlanVersion.objects.get(pk=version.pk)
    return signing.plan_sign(
        version=fresh,
        signer=signer,
        password=password,
        seen_revision=fresh.revision,
        seen_hash=content.content_hash(fresh),
    )


def sign_form_fields(page_text: str) -> dict[str, str]:
    """The hidden fields of the sign form on a plan page: what the signer's screen
    showed (revision, content hash and content)."""
    start = re.search(r'action="/udviklingsplaner/versioner/\d+/underskriv/"', page_text)
    assert start is not None, "the page has no sign form"
    form = page_text[start.start() : page_text.index("</form>", start.start())]
    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'type="hidden" name="(revision|content_hash|content)" value="([^"]*)"', form
        )
    }


def version_of(plan: Plan) -> PlanVersion:
    with kommune_scope(plan.kommune):
        return selectors.current_version(plan)


@dataclass
class MusObjects:
    conversation: Conversation
    plan: Plan
    version: PlanVersion
    goal: PlanGoal
    activity: PlanActivity
    question: AgendaQuestion
    pdf_id: int


def build_mus(org) -> MusObjects:
    """One of each MUS object in an org, for the URL walk."""
    plan = build_plan(org)
    with kommune_scope(org.kommune):
        version = selectors.current_version(plan)
        pdf = version.pdfs.create(kommune=org.kommune, language="da")
        question = services.agenda_questions(kommune=org.kommune)[0]
        return MusObjects(
            conversation=plan.conversation,
            plan=plan,
            version=version,
            goal=version.goals.first(),
            activity=version.activities.first(),
            question=question,
            pdf_id=pdf.pk,
        )
