"""The audit log kept for each kommune's period (issue 19.4): the nightly job deletes
older entries in calendar months, per kommune; an empty setting keeps them all; the
kommune's settings page sets the period and shows the last deletion; *Mine data*
lists the entries still kept."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kompetence import audit_retention
from kompetence.models import AuditEntry, Kommune
from kompetence.tasks import purge_audit_all
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hour: int = 0, minute: int = 0, second: int = 0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def _entry(org, at, *, subject=None, summary="") -> AuditEntry:
    with org.scope():
        return AuditEntry.objects.create(
            kommune=org.kommune,
            at=at,
            actor=org.hr,
            action=AuditEntry.Action.VIEW,
            subject=subject or org.employee,
            object_type="kompetence.Person",
            summary=summary,
        )


def _kept(org) -> set[int]:
    with org.scope():
        return set(
            AuditEntry.objects.filter(kommune=org.kommune)
            .exclude(object_type=AuditEntry._meta.label)
            .values_list("pk", flat=True)
        )


def _purge(org, today: datetime.date) -> int:
    with org.scope():
        return audit_retention.audit_purge(kommune=org.kommune, today=today)


def test_an_entry_exactly_six_months_old_is_kept_an_older_one_deleted(org_a):
    today = datetime.date(2026, 12, 2)
    midnight = _entry(org_a, _at(datetime.date(2026, 6, 2)))
    same_day = _entry(org_a, _at(datetime.date(2026, 6, 2), 23, 59))
    a_second_before = _entry(org_a, _at(datetime.date(2026, 6, 1), 23, 59, 59))
    last_year = _entry(org_a, _at(datetime.date(2025, 1, 1)))
    assert _purge(org_a, today) == 2
    assert _kept(org_a) == {midnight.pk, same_day.pk}
    assert a_second_before.pk not in _kept(org_a) and last_year.pk not in _kept(org_a)


@pytest.mark.parametrize(
    ("today", "first_kept"),
    [
        # Calendar months: a month without the day counts to its last day.
        (datetime.date(2026, 8, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2028, 8, 31), datetime.date(2028, 2, 29)),  # a leap year
        (datetime.date(2026, 3, 31), datetime.date(2025, 9, 30)),
        (datetime.date(2027, 1, 1), datetime.date(2026, 7, 1)),
    ],
)
def test_month_ends_count_in_calendar_months(org_a, today, first_kept):
    kept = _entry(org_a, _at(first_kept))
    gone = _entry(org_a, _at(first_kept - datetime.timedelta(days=1), 23, 59, 59))
    assert _purge(org_a, today) == 1
    assert kept.pk in _kept(org_a) and gone.pk not in _kept(org_a)


def test_the_kommunes_own_period_counts(org_a):
    Kommune.objects.filter(pk=org_a.kommune.pk).update(audit_retention_months=1)
    org_a.kommune.refresh_from_db()
    kept = _entry(org_a, _at(datetime.date(2026, 11, 2)))
    gone = _entry(org_a, _at(datetime.date(2026, 11, 1)))
    assert _purge(org_a, datetime.date(2026, 12, 2)) == 1
    assert _kept(org_a) == {kept.pk} and gone.pk not in _kept(org_a)


def test_an_empty_setting_keeps_every_entry(org_a):
    Kommune.objects.filter(pk=org_a.kommune.pk).update(audit_retention_months=None)
    org_a.kommune.refresh_from_db()
    old = _entry(org_a, _at(datetime.date(2001, 1, 1)))
    assert _purge(org_a, datetime.date(2026, 12, 2)) == 0
    assert old.pk in _kept(org_a)
    with org_a.scope():
        assert audit_retention.last_purge(org_a.kommune) is None


def test_another_kommunes_entries_are_untouched(org_a, org_b):
    Kommune.objects.filter(pk=org_b.kommune.pk).update(audit_retention_months=None)
    old_a = _entry(org_a, _at(datetime.date(2020, 1, 1)))
    old_b = _entry(org_b, _at(datetime.date(2020, 1, 1)))
    assert _purge(org_a, datetime.date(2026, 12, 2)) == 1
    assert old_a.pk not in _kept(org_a)
    assert old_b.pk in _kept(org_b)


def test_large_logs_go_in_batches_and_the_deletion_is_recorded_about_nobody(
    org_a, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(audit_retention, "PURGE_BATCH", 3)
    old = [_entry(org_a, _at(datetime.date(2025, 1, 1))) for _ in range(7)]
    new = _entry(org_a, _at(datetime.date(2026, 11, 30)))
    # 7 rows in batches of 3: three DELETEs, one INSERT for the record; none read rows.
    with org_a.scope(), django_assert_max_num_queries(6) as queries:
        assert (
            audit_retention.audit_purge(kommune=org_a.kommune, today=datetime.date(2026, 12, 2))
            == 7
        )
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements.count("DELETE") == 3
    assert not any(
        q["sql"].upper().startswith("SELECT") and "auditentry" in q["sql"].lower()
        for q in queries.captured_queries
    )
    assert _kept(org_a) == {new.pk}
    assert not {e.pk for e in old} & _kept(org_a)
    with org_a.scope():
        record = AuditEntry.objects.get(object_type=AuditEntry._meta.label)
        assert (record.actor, record.subject, record.action) == (None, None, "delete")
        assert record.details == {"deleted": 7, "before": "2026-06-02"}
        last = audit_retention.last_purge(org_a.kommune)
    assert last is not None and (last.deleted, last.before) == (7, datetime.date(2026, 6, 2))


def test_the_nightly_job_runs_for_every_kommune_on_the_beat_schedule(org_a, org_b):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-retention"]
    assert entry["task"] == "kompetence.purge_audit_all"
    today = timezone.localdate()
    old_a = _entry(org_a, _at(today - datetime.timedelta(days=400)))
    old_b = _entry(org_b, _at(today - datetime.timedelta(days=400)))
    new_b = _entry(org_b, _at(today - datetime.timedelta(days=10)))
    assert purge_audit_all() >= 2
    assert old_a.pk not in _kept(org_a)
    assert _kept(org_b) == {new_b.pk} and old_b.pk not in _kept(org_b)


@pytest.mark.postgres
def test_the_purge_runs_inside_the_row_level_security_wall(org_a, org_b):
    if connection.vendor != "postgresql":
        pytest.fail("Row-level security is a PostgreSQL feature: run with `make test-pg`.")
    old_a = _entry(org_a, _at(datetime.date(2020, 1, 1)))
    old_b = _entry(org_b, _at(datetime.date(2020, 1, 1)))
    with org_a.scope(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
        # Even a query naming kommune B deletes nothing of B's under A's scope.
        deleted, _ = AuditEntry.objects.filter(kommune=org_b.kommune).delete()
        assert deleted == 0
        assert audit_retention.audit_purge(kommune=org_a.kommune) == 1
    assert old_a.pk not in _kept(org_a)
    assert old_b.pk in _kept(org_b)


# --- The setting -------------------------------------------------------------------------


def _post(client, months: str):
    return client.post(
        reverse("kommune_settings"),
        {"accessibility_statement_url": "", "audit_retention_months": months},
    )


def test_hr_sets_the_period_on_the_settings_page(org_a):
    hr = client_for(org_a.hr)
    page = hr.get(reverse("kommune_settings"))
    assert "Gem adgangsloggen i (måneder)" in page.text
    assert 'value="6"' in page.text
    assert "Der er endnu ikke slettet gamle logposter." in page.text
    assert _post(hr, "12").status_code == 302
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.audit_retention_months == 12
    with org_a.scope():
        assert AuditEntry.objects.filter(summary__contains="12 måneder").exists()
    assert _post(hr, "").status_code == 302
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.audit_retention_months is None


@pytest.mark.parametrize("months", ["0", "121", "-3", "seks"])
def test_the_period_is_from_1_to_120_months(org_a, months):
    response = _post(client_for(org_a.hr), months)
    assert response.status_code == 200
    assert "Gem adgangsloggen i (måneder)" in response.text
    assert "errorlist" in response.text or 'aria-invalid="true"' in response.text
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.audit_retention_months == 6


def test_the_error_names_the_field(org_a):
    response = _post(client_for(org_a.hr), "121")
    assert "Gem adgangsloggen i (måneder) skal være et helt tal fra 1 til 120" in response.text


def test_the_settings_page_shows_the_last_deletion_in_danish_and_english(org_a):
    _entry(org_a, _at(datetime.date(2020, 1, 1)))
    _entry(org_a, _at(datetime.date(2020, 1, 2)))
    _purge(org_a, datetime.date(2026, 12, 2))
    page = client_for(org_a.hr).get(reverse("kommune_settings"))
    assert "2 logposter ældre end 2. juni 2026" in page.text
    org_a.hr.user.language = "en"
    org_a.hr.user.save(update_fields=["language"])
    page = client_for(org_a.hr).get(reverse("kommune_settings"))
    assert "2 log entries older than" in page.text


@pytest.mark.parametrize("who", ["employee", "leader"])
def test_only_hr_for_the_kommune_changes_the_period(org_a, org_b, who):
    for person in (getattr(org_a, who), org_b.hr):
        client = client_for(person, org_a.kommune) if person is org_b.hr else client_for(person)
        assert client.get(reverse("kommune_settings")).status_code == 404
        assert _post(client, "1").status_code == 404
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.audit_retention_months == 6


# --- Mine data -----------------------------------------------------------------------------


def _my_log(org) -> list[dict]:
    response = client_for(org.employee).post(reverse("my_data_download"))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return json.loads(archive.read("adgangslog.json"))


def test_mine_data_lists_the_kept_entries_and_none_older(org_a):
    today = timezone.localdate()
    _entry(org_a, _at(today - datetime.timedelta(days=400)), summary="gammel")
    _entry(org_a, _at(today - datetime.timedelta(days=20)), summary="ny")
    with org_a.scope():
        AuditEntry.objects.create(
            kommune=org_a.kommune,
            actor=org_a.hr,
            action=AuditEntry.Action.SEARCH,
            subject=org_a.employee,
            object_type="",
            summary="Søgning",
            details={"criteria": {"q": "Eva"}},
        )
    summaries = [row["summary"] for row in _my_log(org_a)]
    assert "gammel" in summaries and "ny" in summaries
    with org_a.scope():
        audit_retention.audit_purge(kommune=org_a.kommune)
    log = _my_log(org_a)
    summaries = [row["summary"] for row in log]
    assert "gammel" not in summaries
    assert "ny" in summaries and "Søgning" in summaries
    search = next(row for row in log if row["action"] == "search")
    assert search["details"] == {"criteria": {"q": "Eva"}}


def test_mine_data_says_how_long_the_log_is_kept(org_a):
    page = client_for(org_a.employee).get(reverse("my_data"))
    assert "de seneste 6 måneder" in page.text
