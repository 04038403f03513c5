"""Follow-up from last time: the previous signed plan on both parties' preparation and
the conversation screen, mid-year check-ins that leave the signed content alone, and
the follow-up date's reminders to both parties, each sent once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kompetence.models import AuditEntry
from mus import content, reminders, selectors, services
from mus.models import CheckInActivity, Conversation, PlanActivity, PlanCheckIn, PlanVersion
from tests.conftest import client_for
from tests.mus.factories import build_conversation, build_plan, sign, version_of
from tests.mus.test_mus import PASSWORD

pytestmark = pytest.mark.django_db

FOLLOW_UP = "Opfølgning fra sidst"


def _signed_plan(org, *, activities: int = 3, follow_up: datetime.date | None = None):
    """A plan from a conversation held a year ago, signed by both."""
    plan = build_plan(org, activities=activities)
    with org.scope():
        Conversation.objects.filter(pk=plan.conversation_id).update(
            starts_at=timezone.now() - datetime.timedelta(days=365),
            status=Conversation.Status.HELD,
        )
        version = selectors.current_version(plan)
        if follow_up is not None:
            services.plan_texts_update(
                version=version,
                revision=version.revision,
                leader_support="",
                other_agreements="",
                follow_up_date=follow_up,
            )
        sign(version, org.employee, PASSWORD)
        sign(version, org.leader, PASSWORD)
    return plan


def _check_in(org, plan, statuses: list[str], *, by=None, note: str = "Godt på vej"):
    version = version_of(plan)
    with org.scope():
        activities = list(version.activities.order_by("order", "pk"))
        return services.plan_check_in_record(
            version=version,
            by=by or org.employee,
            held_on=timezone.localdate(),
            note=note,
            statuses={
                activity.pk: (status, f"note {index}")
                for index, (activity, status) in enumerate(zip(activities, statuses, strict=True))
            },
        )


# --- "Opfølgning fra sidst" ------------------------------------------------------------


def test_the_previous_plan_shows_on_both_parties_preparation_and_the_screen(org_a):
    plan = _signed_plan(org_a)
    _check_in(org_a, plan, ["done", "in_progress", "cancelled"])
    upcoming = build_conversation(org_a)

    for person in (org_a.employee, org_a.leader):
        page = client_for(person).get(reverse("preparation", args=[upcoming.pk]))
        assert page.status_code == 200
        section = page.text[page.text.index(FOLLOW_UP) :]
        section = section[: section.index("</section>")]
        assert reverse("plan_detail", args=[plan.pk]) in section
        assert "Gennemført" in section and "I gang" in section and "Droppet" in section
        assert "note 1" in section and "Godt på vej" in section
    screen = client_for(org_a.leader).get(reverse("conversation_screen", args=[upcoming.pk]))
    assert screen.status_code == 200
    assert FOLLOW_UP in screen.text and reverse("plan_detail", args=[plan.pk]) in screen.text
    # The section comes first on both pages.
    assert screen.text.index(FOLLOW_UP) < screen.text.index("Fælles noter")


def test_without_a_previous_signed_plan_the_page_says_so(org_a):
    upcoming = build_conversation(org_a)
    for name in ("preparation", "conversation_screen"):
        page = client_for(org_a.leader).get(reverse(name, args=[upcoming.pk]))
        assert FOLLOW_UP in page.text
        assert "Der er ingen tidligere underskrevet udviklingsplan at følge op på." in page.text


def test_a_plan_signed_by_one_party_only_is_not_the_previous_plan(org_a):
    plan = build_plan(org_a)
    with org_a.scope():
        Conversation.objects.filter(pk=plan.conversation_id).update(
            starts_at=timezone.now() - datetime.timedelta(days=365),
            status=Conversation.Status.HELD,
        )
        sign(selectors.current_version(plan), org_a.employee, PASSWORD)
    upcoming = build_conversation(org_a)
    with org_a.scope():
        assert selectors.previous_plan_for(upcoming) is None


def test_the_previous_plan_is_the_latest_signed_version(org_a):
    plan = _signed_plan(org_a)
    with org_a.scope():
        signed = selectors.current_version(plan)
        # A newer draft does not replace the agreement in force.
        services.plan_version_new(version=signed, by=org_a.leader)
    upcoming = build_conversation(org_a)
    with org_a.scope():
        assert selectors.previous_plan_for(upcoming)["version"].pk == signed.pk


def test_others_do_not_see_the_previous_plan(org_a, org_b):
    _signed_plan(org_a)
    upcoming = build_conversation(org_a)
    for person in (org_a.colleague, org_a.hr):
        assert client_for(person).get(reverse("preparation", args=[upcoming.pk])).status_code == 404
    assert (
        client_for(org_a.colleague)
        .get(reverse("conversation_screen", args=[upcoming.pk]))
        .status_code
        == 404
    )
    for name in ("preparation", "conversation_screen"):
        response = client_for(org_b.leader, org_a.kommune).get(reverse(name, args=[upcoming.pk]))
        assert response.status_code == 404


def test_the_preparation_page_has_constant_queries(org_a, django_assert_max_num_queries):
    plan = _signed_plan(org_a, activities=2)
    _check_in(org_a, plan, ["done", "planned"])
    upcoming = build_conversation(org_a)
    client = client_for(org_a.employee)
    url = reverse("preparation", args=[upcoming.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    small = len(few.captured_queries)

    with org_a.scope():  # room to plan the conversation of a second, later plan
        Conversation.objects.filter(pk=upcoming.pk).update(status=Conversation.Status.HELD)
    more = _signed_plan(org_a, activities=8)
    with org_a.scope():
        Conversation.objects.filter(pk=more.conversation_id).update(
            starts_at=timezone.now() - datetime.timedelta(days=100)
        )
    _check_in(org_a, more, ["done"] * 8)
    with django_assert_max_num_queries(small):
        page = client.get(url)
    assert "Aktivitet 8" in page.text


def test_previous_plan_for_reads_in_four_queries(org_a, django_assert_num_queries):
    plan = _signed_plan(org_a, activities=5)
    _check_in(org_a, plan, ["done"] * 5)
    upcoming = build_conversation(org_a)
    with org_a.scope(), django_assert_num_queries(4):
        previous = selectors.previous_plan_for(upcoming)
        [(activity.status, note) for activity, note in previous["activities"]]
        assert previous["check_in"].author.name


# --- Check-ins ----------------------------------------------------------------------------


def test_a_check_in_leaves_the_signed_content_and_signatures_valid(org_a):
    plan = _signed_plan(org_a)
    version = version_of(plan)
    with org_a.scope():
        before = content.content_hash(version)
        signatures = list(version.signatures.values_list("pk", "content_hash", "signed_at"))
    check_in = _check_in(org_a, plan, ["done", "in_progress", "cancelled"])
    with org_a.scope():
        version = PlanVersion.objects.get(pk=version.pk)
        assert content.content_hash(version) == before
        assert list(version.signatures.values_list("pk", "content_hash", "signed_at")) == (
            signatures
        )
        assert all(hash_ == before for _pk, hash_, _at in signatures)
        assert version.plan.versions.count() == 1  # no new version to sign
        statuses = list(version.activities.order_by("order").values_list("status", flat=True))
        assert statuses == ["done", "in_progress", "cancelled"]
        assert version.activities.get(status="done").done_on == timezone.localdate()
        assert CheckInActivity.objects.filter(check_in=check_in).count() == 3
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.CREATE, object_id=str(check_in.pk)
        ).exists()


def test_the_employee_records_a_check_in_on_the_plan_page(org_a):
    plan = _signed_plan(org_a, activities=2)
    version = version_of(plan)
    with org_a.scope():
        first, second = version.activities.order_by("order")
    client = client_for(org_a.employee)
    page = client.get(reverse("plan_detail", args=[plan.pk]))
    assert "Registrér en opfølgning" in page.text
    response = client.post(
        reverse("plan_check_in", args=[version.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "note": "Halvvejs",
            f"status-{first.pk}": "done",
            f"note-{first.pk}": "Kurset er taget",
            f"status-{second.pk}": "in_progress",
        },
        follow=True,
    )
    assert "Opfølgningen er gemt." in response.text
    assert "Kurset er taget" in response.text and "Halvvejs" in response.text
    assert org_a.employee.name in response.text
    with org_a.scope():
        check_in = PlanCheckIn.objects.get(version=version)
        assert check_in.author == org_a.employee


def test_a_check_in_with_a_future_date_names_the_field(org_a):
    plan = _signed_plan(org_a, activities=1)
    version = version_of(plan)
    with org_a.scope():
        activity = version.activities.get()
    response = client_for(org_a.leader).post(
        reverse("plan_check_in", args=[version.pk]),
        {
            "held_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            f"status-{activity.pk}": "done",
        },
        follow=True,
    )
    assert "Dato for opfølgningen: Datoen ligger i fremtiden." in response.text
    assert "Opfølgningen er gemt." not in response.text
    with org_a.scope():
        assert not PlanCheckIn.objects.exists()


def test_a_check_in_on_an_unsigned_plan_is_refused(org_a):
    plan = build_plan(org_a, activities=1)
    version = version_of(plan)
    with org_a.scope():
        activity = version.activities.get()
    client = client_for(org_a.employee)
    assert "Registrér en opfølgning" not in client.get(reverse("plan_detail", args=[plan.pk])).text
    response = client.post(
        reverse("plan_check_in", args=[version.pk]),
        {"held_on": timezone.localdate().isoformat(), f"status-{activity.pk}": "done"},
        follow=True,
    )
    assert "Opfølgningen er ikke gemt: planen er ikke underskrevet af begge." in response.text
    with org_a.scope():
        assert not PlanCheckIn.objects.exists()
        assert version.activities.get().status == PlanActivity.Status.PLANNED


def test_only_those_who_follow_up_the_plan_may_record_a_check_in(org_a, org_b):
    plan = _signed_plan(org_a, activities=1)
    version = version_of(plan)
    with org_a.scope():
        activity = version.activities.get()
    data = {"held_on": timezone.localdate().isoformat(), f"status-{activity.pk}": "done"}
    url = reverse("plan_check_in", args=[version.pk])
    for person in (org_a.colleague, org_a.hr):
        assert client_for(person).post(url, data).status_code == 404
    assert client_for(org_b.leader, org_a.kommune).post(url, data).status_code == 404
    # The leader's leader follows up like the leader (as with marking activities done).
    assert client_for(org_a.chef).post(url, data).status_code == 302
    with org_a.scope():
        assert PlanCheckIn.objects.get().author == org_a.chef


def test_the_plan_page_with_check_ins_has_constant_queries(org_a, django_assert_max_num_queries):
    plan = _signed_plan(org_a, activities=2)
    _check_in(org_a, plan, ["done", "planned"])
    client = client_for(org_a.employee)
    url = reverse("plan_detail", args=[plan.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for _ in range(4):
        _check_in(org_a, plan, ["in_progress", "done"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- Follow-up reminders ------------------------------------------------------------------


def test_the_follow_up_date_reminds_both_a_week_before_and_on_the_day_once_each(
    org_a, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    follow_up = today + datetime.timedelta(days=20)
    _signed_plan(org_a, follow_up=follow_up)
    both = sorted([org_a.employee.email, org_a.leader.email])

    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        early = reminders.follow_up_reminders_send(
            kommune=org_a.kommune, today=follow_up - datetime.timedelta(days=8)
        )
    assert early == 0 and mail.outbox == []

    week_before = follow_up - datetime.timedelta(days=7)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        first = reminders.follow_up_reminders_send(kommune=org_a.kommune, today=week_before)
        again = reminders.follow_up_reminders_send(kommune=org_a.kommune, today=week_before)
        next_day = reminders.follow_up_reminders_send(
            kommune=org_a.kommune, today=week_before + datetime.timedelta(days=1)
        )
    assert (first, again, next_day) == (1, 0, 0)
    assert sorted(m.to[0] for m in mail.outbox) == both
    assert "om en uge" in mail.outbox[0].body
    assert "/udviklingsplaner/" in mail.outbox[0].body

    mail.outbox.clear()
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        on_the_day = reminders.follow_up_reminders_send(kommune=org_a.kommune, today=follow_up)
        twice = reminders.follow_up_reminders_send(kommune=org_a.kommune, today=follow_up)
        later = reminders.follow_up_reminders_send(
            kommune=org_a.kommune, today=follow_up + datetime.timedelta(days=1)
        )
    assert (on_the_day, twice, later) == (1, 0, 0)
    assert sorted(m.to[0] for m in mail.outbox) == both
    assert "i dag" in mail.outbox[0].subject


def test_unsigned_plans_and_old_dates_send_no_reminder(org_a, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    _signed_plan(org_a, follow_up=today - datetime.timedelta(days=30))
    plan = build_plan(org_a)
    with org_a.scope():
        version = selectors.current_version(plan)
        services.plan_texts_update(
            version=version,
            revision=version.revision,
            leader_support="",
            other_agreements="",
            follow_up_date=today,
        )
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert reminders.follow_up_reminders_send(kommune=org_a.kommune, today=today) == 0
    assert mail.outbox == []


def test_a_reminder_in_english_for_those_who_chose_english(
    org_a, django_capture_on_commit_callbacks
):
    org_a.employee.user.language = "en"
    org_a.employee.user.save(update_fields=["language"])
    today = timezone.localdate()
    _signed_plan(org_a, follow_up=today)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        reminders.follow_up_reminders_send(kommune=org_a.kommune, today=today)
    english = next(m for m in mail.outbox if m.to[0] == org_a.employee.email)
    danish = next(m for m in mail.outbox if m.to[0] == org_a.leader.email)
    assert "Follow-up" in english.subject and "Opfølgning" in danish.subject
    assert "Dear" in english.body


def test_the_daily_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["plan-follow-up-reminders"]
    assert entry["task"] == "mus.send_follow_up_reminders_all"


def test_the_home_page_shows_the_follow_up_as_a_task(org_a):
    today = timezone.localdate()
    plan = _signed_plan(org_a, follow_up=today + datetime.timedelta(days=5))
    for person in (org_a.employee, org_a.leader):
        page = client_for(person).get(reverse("home"))
        assert "Opfølgning på udviklingsplaner" in page.text
        assert reverse("plan_detail", args=[plan.pk]) in page.text
    assert (
        "Opfølgning på udviklingsplaner"
        not in client_for(org_a.colleague).get(reverse("home")).text
    )


def test_the_follow_up_task_goes_when_a_check_in_is_recorded(org_a):
    plan = _signed_plan(org_a, follow_up=timezone.localdate() - datetime.timedelta(days=2))
    client = client_for(org_a.leader)
    assert "Overskredet" in client.get(reverse("home")).text.split("Opfølgning på udv")[1]
    _check_in(org_a, plan, ["done", "done", "done"], by=org_a.leader)
    assert "Opfølgning på udviklingsplaner" not in client.get(reverse("home")).text
