"""Demo MUS data: the demo leader's team has conversations in every state, one of them
with a plan both have signed (and its PDF), and the demo employee has a MUS coming up
to prepare for, with last year's signed plan and its check-in to follow up on. Every kind of conversation is there: a group conversation (GRUS/TUS)
of the leader with three of the team, a seniorsamtale, and the leader's own LUS with
the chef. Rows are created directly (no invitation e-mails during seeding) and
found again by employee, so a second run changes nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kompetence.demo import DemoOrg
from kompetence.permissions import persons_led_by
from mus import content, selectors, services
from mus.models import (
    CheckInActivity,
    Conversation,
    ConversationGroup,
    ConversationKind,
    Plan,
    PlanActivity,
    PlanCheckIn,
    PlanGoal,
    PlanVersion,
    Signature,
)
from mus.upward import demo as upward_demo
from profiles.models import Competence
from profiles.selectors import latest_round_of


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _conversation(
    org: DemoOrg,
    employee,
    leader,
    *,
    days: int,
    hour: int,
    status: str,
    kind: str = ConversationKind.MUS,
    group: ConversationGroup | None = None,
) -> Conversation:
    existing = Conversation.objects.filter(employee=employee).first()
    if existing is not None:
        return existing
    return Conversation.objects.create(
        kommune=org.kommune,
        kind=kind,
        group=group,
        employee=employee,
        leader=leader,
        round=latest_round_of(employee),
        starts_at=_at(days, hour),
        duration_minutes=60,
        location="Mødelokale 1, Rådhuset",
        status=status,
        held_at=_at(days, hour + 1) if status == Conversation.Status.HELD else None,
        shared_notes=(
            "Vi talte om de nye sagstyper og om, hvordan erfaringerne kan deles i teamet."
            if status == Conversation.Status.HELD
            else ""
        ),
    )


def _signed_plan(org: DemoOrg, conversation: Conversation) -> None:
    if Plan.objects.filter(conversation=conversation).exists():
        return
    plan = services.plan_get_or_create(conversation=conversation)
    version: PlanVersion = selectors.current_version(plan)
    version.leader_support = "Tid til kursus og sparring hver anden uge."
    version.other_agreements = "Ønsker på sigt at arbejde med nye borgergrupper."
    version.follow_up_date = timezone.localdate() + datetime.timedelta(days=120)
    version.save()
    competences = []
    if conversation.round:
        competences = list(Competence.objects.filter(version_id=conversation.round.version_id)[:2])
    goal = PlanGoal.objects.create(
        kommune=org.kommune,
        version=version,
        text="Bliver mere sikker i komplekse sager",
        target_level=4,
        order=1,
    )
    goal.competences.set(competences[:1])
    second = PlanGoal.objects.create(
        kommune=org.kommune, version=version, text="Deler viden med nye kolleger", order=2
    )
    second.competences.set(competences[1:2])
    for order, (kind, title, goal_for, days, done) in enumerate(
        [
            (PlanActivity.Kind.EXTERNAL, "Kursus i sagsbehandling, 3 dage", goal, 60, False),
            (
                PlanActivity.Kind.SIDE_BY_SIDE,
                "Sidemandsoplæring med en erfaren kollega",
                goal,
                30,
                True,
            ),
            (PlanActivity.Kind.NETWORK, "Deltagelse i fagligt netværk", second, 150, False),
        ],
        start=1,
    ):
        PlanActivity.objects.create(
            kommune=org.kommune,
            version=version,
            goal=goal_for,
            kind=kind,
            title=title,
            deadline=timezone.localdate() + datetime.timedelta(days=days),
            order=order,
            status=PlanActivity.Status.DONE if done else PlanActivity.Status.PLANNED,
            done_on=timezone.localdate() - datetime.timedelta(days=3) if done else None,
        )
    content_hash = content.content_hash(version)
    assert conversation.held_at is not None  # the demo conversation was held
    # Seeded signatures: the demo people signed "in the past"; real signing always
    # goes through signing.plan_sign with the signer's password.
    for role, signer in (
        (Signature.Role.EMPLOYEE, plan.employee),
        (Signature.Role.LEADER, plan.leader),
    ):
        Signature.objects.create(
            kommune=org.kommune,
            version=version,
            signer=signer,
            role=role,
            content_hash=content_hash,
            signed_at=conversation.held_at,
        )
    services.pdf_request(version=version, language="da")


def _last_years_plan(org: DemoOrg, employee, leader) -> None:
    """The demo employee's MUS of a year ago, its plan both signed, and a check-in half
    a year later: this year's preparation shows it as "Opfølgning fra sidst"."""
    year_ago = timezone.now() - datetime.timedelta(days=300)
    if Conversation.objects.filter(employee=employee, starts_at__lt=year_ago).exists():
        return
    held = _at(-364, 10)
    conversation = Conversation.objects.create(
        kommune=org.kommune,
        employee=employee,
        leader=leader,
        starts_at=held,
        duration_minutes=60,
        location="Mødelokale 1, Rådhuset",
        status=Conversation.Status.HELD,
        held_at=held + datetime.timedelta(hours=1),
        shared_notes="Vi aftalte at styrke dokumentationen og prøve kræfter med nye opgaver.",
    )
    plan = services.plan_get_or_create(conversation=conversation)
    version: PlanVersion = selectors.current_version(plan)
    version.leader_support = "Tid til kursus og faste sparringsmøder."
    version.follow_up_date = held.date() + datetime.timedelta(days=182)
    version.save()
    goal = PlanGoal.objects.create(
        kommune=org.kommune,
        version=version,
        text="Bliver skarpere til dokumentation og journalføring",
        order=1,
    )
    activities = [
        PlanActivity.objects.create(
            kommune=org.kommune,
            version=version,
            goal=goal,
            kind=kind,
            title=title,
            deadline=held.date() + datetime.timedelta(days=days),
            order=order,
        )
        for order, (kind, title, days) in enumerate(
            [
                (PlanActivity.Kind.EXTERNAL, "Kursus i skriftlig dokumentation, 2 dage", 120),
                (PlanActivity.Kind.ON_THE_JOB, "Ansvar for teamets fælles journalskabeloner", 240),
                (PlanActivity.Kind.NETWORK, "Deltagelse i tværkommunalt netværk", 300),
            ],
            start=1,
        )
    ]
    content_hash = content.content_hash(version)
    for role, signer in ((Signature.Role.EMPLOYEE, employee), (Signature.Role.LEADER, leader)):
        Signature.objects.create(
            kommune=org.kommune,
            version=version,
            signer=signer,
            role=role,
            content_hash=content_hash,
            signed_at=held + datetime.timedelta(days=3),
        )
    # The mid-year check-in, as services.plan_check_in_record records it.
    checked = version.follow_up_date
    check_in = PlanCheckIn.objects.create(
        kommune=org.kommune,
        version=version,
        author=employee,
        held_on=checked,
        note="Godt på vej; netværket droppede vi, da det blev lagt ned.",
    )
    for activity, status, note in zip(
        activities,
        [PlanActivity.Status.DONE, PlanActivity.Status.IN_PROGRESS, PlanActivity.Status.CANCELLED],
        ["Gennemført i foråret.", "Skabelonerne er halvt færdige.", ""],
        strict=True,
    ):
        CheckInActivity.objects.create(
            kommune=org.kommune, check_in=check_in, activity=activity, status=status, note=note
        )
        activity.status = status
        activity.done_on = checked - datetime.timedelta(days=40) if status == "done" else None
        activity.save(update_fields=["status", "done_on"])
    PlanVersion.objects.filter(pk=version.pk).update(
        follow_up_notice_sent_at=timezone.now(), follow_up_reminded_at=timezone.now()
    )


def seed(org: DemoOrg) -> None:
    leader = org.logins["leder"]
    employee = org.logins["medarbejder"]
    team = [p for p in persons_led_by(leader).order_by("employee_number") if p.pk != employee.pk]
    services.agenda_questions(kommune=org.kommune)
    _conversation(org, employee, leader, days=12, hour=10, status=Conversation.Status.SCHEDULED)
    _last_years_plan(org, employee, leader)
    for index, person in enumerate(team[:4]):
        held = index < 2
        conversation = _conversation(
            org,
            person,
            leader,
            days=-20 + index if held else 5 + index,
            hour=9 + index,
            status=Conversation.Status.HELD if held else Conversation.Status.SCHEDULED,
        )
        if held:
            _signed_plan(org, conversation)
    _seed_kinds(org, leader, team)
    upward_demo.seed(org)


def _seed_kinds(org: DemoOrg, leader, team) -> None:
    """A GRUS/TUS of the leader with three of the team (one of whom asks for an
    individual MUS), a seniorsamtale, and the leader's LUS with the chef; all planned."""
    chef = org.logins["chef"]
    for kind in ConversationKind.values:
        services.agenda_questions(kommune=org.kommune, kind=kind)
    participants = team[4:7]
    if (
        len(participants) == 3
        and not Conversation.objects.filter(employee__in=participants).exists()
    ):
        group = ConversationGroup.objects.create(
            kommune=org.kommune,
            leader=leader,
            title="Teamets gruppesamtale",
            shared_notes="Fælles mål: bedre overlevering mellem vagterne.",
        )
        for person in participants:
            _conversation(
                org,
                person,
                leader,
                days=9,
                hour=13,
                status=Conversation.Status.SCHEDULED,
                kind=ConversationKind.GRUS,
                group=group,
            )
        asking = Conversation.objects.get(group=group, employee=participants[-1])
        asking.individual_requested_at = timezone.now()
        asking.individual_request_reason = "Jeg vil gerne tale om min arbejdstid alene."
        asking.save(update_fields=["individual_requested_at", "individual_request_reason"])
    if len(team) > 7:
        _conversation(
            org,
            team[7],
            leader,
            days=15,
            hour=11,
            status=Conversation.Status.SCHEDULED,
            kind=ConversationKind.SENIOR,
        )
    _conversation(
        org,
        leader,
        chef,
        days=20,
        hour=9,
        status=Conversation.Status.SCHEDULED,
        kind=ConversationKind.LUS,
    )
