"""The organisation import with real files: the encodings and separators Danish
exports come in, XLSX, every problem by line and column, all or nothing, idempotent,
leavers deactivated (not deleted), and the pages of the upload → dry run → apply flow."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from kompetence.infra import imports
from kompetence.models import AuditEntry, ImportJob, OrgUnit, Person, Position
from kompetence.org_import import organisation_importer
from mus import signing as mus_signing
from profiles.models import JobProfile, JobProfileAssignment
from tests.conftest import client_for
from tests.mus.factories import build_plan, sign, version_of
from tests.profiles.factories import build_framework

HEADER = "enhed_id;enhed_navn;overenhed_id;medarbejdernr;navn;email;stilling;leder;startdato"
ORGANISATION = [
    HEADER,
    "D1;Direktionen;;;;;;;",
    "C1;Center for Børn og Unge;D1;;;;;;",
    "T1;Sundhedsplejen Øst;C1;5001;Søren Æbelø;soren@aero.dk;Sundhedsplejerske;nej;01-08-2020",
    "T1;Sundhedsplejen Øst;C1;5002;Åse Ørnebjerg;aase@aero.dk;Leder;ja;2019-03-01",
    "T2;Tandplejen;C1;5003;Bjørn Kærgård;bjorn@aero.dk;Tandlæge;;",
]


def csv_bytes(lines: list[str], encoding: str = "cp1252") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def dry_run(org, data: bytes, **options) -> imports.Plan:
    with org.scope():
        return imports.plan_table(
            kommune=org.kommune,
            importer=organisation_importer,
            data=data,
            options={"full": True, **options},
        )


def run(org, data: bytes, **options) -> imports.Plan:
    with org.scope():
        return imports.import_run(
            kommune=org.kommune,
            importer=organisation_importer,
            data=data,
            options={"full": True, **options},
        )


def snapshot(org) -> list:
    """Everything the import could touch, to prove a refused file changed nothing."""
    with org.scope():
        return [
            sorted(OrgUnit.objects.values_list("pk", "name", "path", "is_active", "external_id")),
            sorted(Person.objects.values_list("pk", "name", "email", "is_active")),
            sorted(Position.objects.values_list("pk", "unit_id", "job_title", "end_date")),
        ]


def test_a_windows_1252_csv_with_aeoeaa_imports_correctly(org_a):
    data = csv_bytes(ORGANISATION, "cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really Windows-1252, not UTF-8 in disguise
    before = snapshot(org_a)
    plan = dry_run(org_a, data)
    assert plan.problems == []
    assert plan.counts == {"unit_create": 4, "person_create": 3, "position_create": 3}
    assert snapshot(org_a) == before, "the dry run wrote something"

    run(org_a, data)
    with org_a.scope():
        soren = Person.objects.get(employee_number="5001")
        assert soren.name == "Søren Æbelø"
        assert soren.user.username == "soren@aero.dk"
        assert not soren.user.has_usable_password()
        position = soren.positions.get()
        assert position.unit.name == "Sundhedsplejen Øst"
        assert position.start_date.isoformat() == "2020-08-01"
        assert not position.is_leader
        aase = Person.objects.get(employee_number="5002")
        assert aase.name == "Åse Ørnebjerg"
        assert aase.positions.get().is_leader
        team = OrgUnit.objects.get(external_id="T1")
        centre = OrgUnit.objects.get(external_id="C1")
        root = OrgUnit.objects.get(external_id="D1")
        assert team.parent == centre and centre.parent == root and root.parent is None
        assert team.path == f"/{root.pk}/{centre.pk}/{team.pk}/"
        assert (root.kind, centre.kind, team.kind) == ("direktion", "center", "afdeling")
        # The leader of the team leads its people (the hierarchy the app derives rights from).
        from kompetence import permissions

        assert permissions.leads(aase, soren)


@pytest.mark.parametrize(
    ("encoding", "separator"), [("utf-8-sig", ","), ("utf-8", ";"), ("utf-8", "\t")]
)
def test_utf8_with_or_without_bom_and_any_separator(org_a, encoding, separator):
    lines = [line.replace(";", separator) for line in ORGANISATION]
    run(org_a, csv_bytes(lines, encoding))
    with org_a.scope():
        assert Person.objects.get(employee_number="5003").name == "Bjørn Kærgård"


def test_xlsx_with_numbers_and_dates_in_cells(org_a):
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["D1", "Direktionen", None, None, None, None, None, None, None])
    sheet.append(
        [
            "D1",
            "Direktionen",
            None,
            7001,
            "Ærø Øster",
            "a@b.dk",
            "Chef",
            "ja",
            datetime.datetime(2021, 5, 3),
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    run(org_a, buffer.getvalue())
    with org_a.scope():
        person = Person.objects.get(employee_number="7001")  # not "7001.0"
        assert person.name == "Ærø Øster"
        assert person.positions.get().start_date == datetime.date(2021, 5, 3)


def test_every_problem_is_named_by_line_and_column_and_nothing_changes(org_a):
    lines = [
        HEADER + ";afdelingskode",  # a column we do not know
        "D1;Direktionen;;;;;;;;x",
        "T1;Team Vest;X9;5001;Søren Æbelø;soren@aero.dk;Sygeplejerske;nej;;x",  # unknown parent
        "D1;Direktionen;;5002;Åse Ørnebjerg;ikke-en-mail;Leder;ja;;x",  # bad e-mail
        "D1;Direktionen;;5001;Søren Igen;s2@aero.dk;Leder;ja;;x",  # duplicate number
    ]
    before = snapshot(org_a)
    plan = run(org_a, csv_bytes(lines))
    messages = [str(problem) for problem in plan.problems]
    assert messages == [
        "Linje 1, kolonne »afdelingskode«: Ukendt kolonne. Kolonnerne hedder: enhed_id, "
        "enhed_navn, overenhed_id, enhed_type, medarbejdernr, navn, email, stilling, leder, "
        "startdato, slutdato, jobprofil, med.",
        "Linje 4, kolonne »email«: »ikke-en-mail« er ikke en gyldig e-mailadresse.",
        "Linje 5, kolonne »medarbejdernr«: Medarbejdernummer 5001 står også i linje 3.",
        "Linje 3, kolonne »overenhed_id«: Overenheden X9 findes hverken i filen eller i kommunen.",
    ]
    assert snapshot(org_a) == before


def test_a_missing_column_is_refused_before_the_rows(org_a):
    lines = ["enhed_id;enhed_navn;medarbejdernr;navn;email;stilling;leder", "D1;Dir;;;;;"]
    plan = run(org_a, csv_bytes(lines))
    assert [str(p) for p in plan.problems] == [
        "Linje 1, kolonne »overenhed_id«: Kolonnen mangler i filens første linje."
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("T1;Team;D1;5001;Navn;;Titel;måske;", "Linje 3, kolonne »leder«: Skriv ja eller nej"),
        ("T1;Team;D1;5001;Navn;;Titel;;32-13-2020", "Linje 3, kolonne »startdato«: »32-13-2020«"),
        ("T1;Team;D1;5001;;;Titel;;", "Linje 3, kolonne »navn«: Navn mangler."),
        ("T1;Team;D1;;Navn;;Titel;;", "Linje 3, kolonne »medarbejdernr«: Medarbejdernummer"),
        (";Team;D1;5001;Navn;;Titel;;", "Linje 3, kolonne »enhed_id«: Enheds-id mangler."),
        ("T1;Team;T1;;;;;;", "Linje 3, kolonne »overenhed_id«: En enhed kan ikke ligge under"),
        ("T9;;;5001;Navn;;Titel;;", "Linje 3, kolonne »enhed_navn«: Enheden T9 findes ikke"),
        ("D1;Andet navn;;;;;;;", "Linje 3, kolonne »enhed_navn«: Enheden D1 hedder »Direktionen«"),
    ],
)
def test_bad_values_are_named(org_a, line, expected):
    plan = dry_run(org_a, csv_bytes([HEADER, "D1;Direktionen;;;;;;;", line]))
    assert any(str(p).startswith(expected) for p in plan.problems), plan.problems


def test_a_ring_of_units_is_refused(org_a):
    lines = [HEADER, "A;Enhed A;B;;;;;;", "B;Enhed B;A;;;;;;"]
    plan = dry_run(org_a, csv_bytes(lines))
    assert [str(p) for p in plan.problems] == [
        "Linje 2, kolonne »overenhed_id«: Enhederne A → B → A ligger under hinanden i ring."
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Filen er tom."),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "Det gamle Excel-format (.xls) kan ikke læses."),
        (b"PK\x03\x04garbage", "Filen kan ikke åbnes som et Excel-regneark (XLSX)."),
        (b"\x00\x01\x02binary", "Filen er ikke en CSV- eller XLSX-fil."),
    ],
)
def test_files_that_are_not_tables(org_a, data, expected):
    plan = dry_run(org_a, data)
    assert plan.problems[0].message.startswith(expected)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(org_a):
    data = csv_bytes(ORGANISATION)
    assert run(org_a, data).total == 10
    after_first = snapshot(org_a)
    second = dry_run(org_a, data)
    assert (second.problems, second.total) == ([], 0)
    assert imports.summary_text(second.as_dict()) == "0 ændringer"
    run(org_a, data)
    assert snapshot(org_a) == after_first


def test_a_leaver_is_deactivated_and_their_signed_plan_still_opens(org_a):
    run(org_a, csv_bytes(ORGANISATION))
    with org_a.scope():
        leaver = Person.objects.get(employee_number="5001")
        leader = Person.objects.get(employee_number="5002")
        for person in (leaver, leader):
            person.user.set_password("a-password-1")
            person.user.save()
        # The leaver has a development plan, signed by them and their leader.
        org_a.employee, org_a.leader = leaver, leader
        plan = build_plan(org_a)
        version = version_of(plan)
        sign(version, leaver, "a-password-1")
        sign(version, leader, "a-password-1")
        assert mus_signing.is_locked(version)

    without_leaver = [line for line in ORGANISATION if ";5001;" not in line]
    plan_of_change = dry_run(org_a, csv_bytes(without_leaver))
    assert plan_of_change.counts == {"person_deactivate": 1}
    assert plan_of_change.examples["person_deactivate"] == ["Søren Æbelø (5001)"]
    run(org_a, csv_bytes(without_leaver))

    with org_a.scope():
        leaver.refresh_from_db()
        assert not leaver.is_active
        assert not leaver.user.is_active
        assert Person.objects.filter(pk=leaver.pk).exists()  # kept, with history
        assert leaver.positions.count() == 1
    page = client_for(org_a.hr).get(reverse("plan_detail", args=[plan.pk]))
    assert page.status_code == 200
    assert "Søren Æbelø" in page.text

    # Back on the payroll: active again, the same person.
    run(org_a, csv_bytes(ORGANISATION))
    with org_a.scope():
        leaver.refresh_from_db()
        assert leaver.is_active and leaver.user.is_active


def test_a_partial_import_deactivates_no_one(org_a):
    run(org_a, csv_bytes(ORGANISATION))
    plan = dry_run(org_a, csv_bytes(ORGANISATION[:2]), full=False)
    assert plan.total == 0


def test_people_the_import_never_placed_are_left_alone(org_a):
    """The test org's people sit in units without a payroll id (created by hand, like
    the first HR administrator): a full import of another tree does not touch them."""
    run(org_a, csv_bytes(ORGANISATION))
    with org_a.scope():
        assert Person.objects.get(pk=org_a.hr.pk).is_active
        assert Person.objects.get(pk=org_a.employee.pk).is_active


def test_changes_moves_and_a_leader_flag(org_a):
    run(org_a, csv_bytes(ORGANISATION))
    changed = [
        HEADER,
        "D1;Direktionen;;;;;;;",
        "C1;Center for Børn, Unge og Familie;D1;;;;;;",
        # Søren moves to Tandplejen; Åse is no longer a leader; Bjørn changes e-mail.
        "T2;Tandplejen;C1;5001;Søren Æbelø;soren@aero.dk;Sundhedsplejerske;nej;01-09-2024",
        "T1;Sundhedsplejen Øst;C1;5002;Åse Ørnebjerg;aase@aero.dk;Leder;nej;2019-03-01",
        "T2;Tandplejen;C1;5003;Bjørn Kærgård;bk@aero.dk;Tandlæge;;",
    ]
    plan = dry_run(org_a, csv_bytes(changed))
    assert plan.counts == {
        "unit_change": 1,
        "person_change": 1,
        "position_create": 1,
        "position_end": 1,
        "position_change": 1,
    }
    run(org_a, csv_bytes(changed))
    with org_a.scope():
        soren = Person.objects.get(employee_number="5001")
        old, new = soren.positions.order_by("start_date")
        assert old.unit.external_id == "T1" and old.end_date.isoformat() == "2024-08-31"
        assert new.unit.external_id == "T2" and new.end_date is None
        bjorn = Person.objects.get(employee_number="5003")
        assert bjorn.email == bjorn.user.email == "bk@aero.dk"
    assert dry_run(org_a, csv_bytes(changed)).total == 0


def test_a_moved_unit_takes_its_subtree_along(org_a):
    run(org_a, csv_bytes(ORGANISATION))
    moved = [*ORGANISATION, "C2;Center for Sundhed;D1;;;;;;"]
    moved[3] = moved[3].replace(";C1;", ";C2;")
    moved[4] = moved[4].replace(";C1;", ";C2;")
    run(org_a, csv_bytes(moved))
    with org_a.scope():
        team = OrgUnit.objects.get(external_id="T1")
        centre = OrgUnit.objects.get(external_id="C2")
        assert team.parent == centre
        assert team.path == f"{centre.path}{team.pk}/"
        assert team.depth == 3


def test_the_job_profile_column_assigns_profiles(org_a):
    with org_a.scope():
        version = build_framework(org_a.kommune)
        JobProfile.objects.create(
            kommune=org_a.kommune, name="Sundhedsplejerske", framework=version.framework
        )
    header = HEADER + ";jobprofil"
    units = ["D1;Direktionen;;;;;;;;", "C1;Center;D1;;;;;;;"]
    lines = [header, *units, ORGANISATION[3] + ";sundhedsplejerske"]
    run(org_a, csv_bytes(lines))
    with org_a.scope():
        position = Position.objects.get(person__employee_number="5001")
        assert JobProfileAssignment.objects.get(position=position).job_profile.name == (
            "Sundhedsplejerske"
        )
    assert dry_run(org_a, csv_bytes(lines)).total == 0
    unknown = [header, *units, ORGANISATION[3] + ";Astronaut"]
    assert [str(p) for p in dry_run(org_a, csv_bytes(unknown)).problems] == [
        "Linje 4, kolonne »jobprofil«: »Astronaut« findes ikke i kommunen."
    ]
    removed = [header, *units, ORGANISATION[3] + ";"]
    run(org_a, csv_bytes(removed))
    with org_a.scope():
        assert not JobProfileAssignment.objects.filter(position=position).exists()


def test_the_command_line_dry_run_and_apply(org_a, tmp_path):
    path = tmp_path / "sd-udtraek.csv"
    path.write_bytes(csv_bytes(ORGANISATION))
    out = io.StringIO()
    call_command("import_org", str(path), "--kommune", "alfa", stdout=out)
    assert "Nye personer: 3" in out.getvalue()
    assert "intet ændret" in out.getvalue()
    with org_a.scope():
        assert not Person.objects.filter(employee_number="5001").exists()
    out = io.StringIO()
    call_command("import_org", str(path), "--kommune", "alfa", "--apply", stdout=out)
    assert "Gennemført: 10 ændringer" in out.getvalue()
    out = io.StringIO()
    call_command("import_org", str(path), "--kommune", "alfa", stdout=out)
    assert "0 ændringer" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, "T1;Team;X;;;;;;"]))
    with pytest.raises(CommandError, match="1 fejl: intet er ændret"):
        call_command("import_org", str(bad), "--kommune", "alfa", stderr=io.StringIO())


# --- The pages -------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "organisation.csv", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("import_upload", args=["organisation"]),
        {"file": SimpleUploadedFile(name, data), "full": "on", **fields},
    )


def test_hr_uploads_reads_the_dry_run_and_applies(org_a, django_capture_on_commit_callbacks):
    client = client_for(org_a.hr)
    page = client.get(reverse("import_upload", args=["organisation"]))
    assert page.status_code == 200
    assert "medarbejdernr" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(ORGANISATION))
    assert response.status_code == 302
    with org_a.scope():
        job = ImportJob.objects.get()
    assert response.url == reverse("import_job", args=[job.pk])
    page = client.get(response.url)
    assert "Kontrollen er færdig: 10 ændringer" in page.text
    assert "Linje 4: Søren Æbelø (5001) i Sundhedsplejen Øst" in page.text
    assert "Gennemfør importen" in page.text
    with org_a.scope():
        assert not Person.objects.filter(employee_number="5001").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_job_apply", args=[job.pk]))
    page = client.get(response.url)
    assert "Importen er gennemført: 10 ændringer" in page.text
    with org_a.scope():
        assert Person.objects.filter(employee_number="5001").exists()
        entry = AuditEntry.objects.get(object_type="kompetence.ImportJob")
        assert entry.actor == org_a.hr
        # Applying again (a double click, a redelivered task) does nothing more.
        imports.import_apply(job_id=job.pk)
        assert Person.objects.filter(employee_number="5001").count() == 1


def test_a_refused_file_shows_every_problem(org_a, django_capture_on_commit_callbacks):
    client = client_for(org_a.hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes([HEADER, "T1;Team;X9;5001;A;bad;B;;"]))
    page = client.get(response.url)
    assert "Filen har 2 fejl, og intet er ændret" in page.text
    assert "Linje 2, kolonne »email«: »bad« er ikke en gyldig e-mailadresse." in page.text
    assert "Gennemfør importen" not in page.text


def test_the_apply_checks_the_file_again_against_the_database_of_that_moment(
    org_a, django_capture_on_commit_callbacks
):
    with org_a.scope():
        OrgUnit.objects.filter(pk=org_a.centre.pk).update(external_id="C0")
    client = client_for(org_a.hr)
    lines = [HEADER, "T1;Team Øst;C0;5001;Navn Navnesen;;Titel;;"]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes(lines))
    with org_a.scope():
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.CHECKED
        # Between the dry run and the apply, someone takes the payroll id off the parent.
        OrgUnit.objects.filter(pk=org_a.centre.pk).update(external_id="")
    before = snapshot(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_job_apply", args=[job.pk]))
    with org_a.scope():
        job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert [p["message"] for p in job.result["problems"]] == [
        "Overenheden C0 findes hverken i filen eller i kommunen."
    ]
    assert snapshot(org_a) == before


def test_an_upload_too_large_or_of_the_wrong_type_is_refused_with_a_message(org_a, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client = client_for(org_a.hr)
    response = upload(client, b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "Filen fylder 1,0 MB. Den må højst fylde 1 MB." in response.text
    response = upload(client, b"%PDF-1.4", name="organisation.pdf")
    assert "Filen skal være en CSV- eller XLSX-fil (.csv eller .xlsx)." in response.text
    with org_a.scope():
        assert not ImportJob.objects.exists()


def test_the_template_has_the_header(org_a):
    response = client_for(org_a.hr).get(reverse("import_template", args=["organisation"]))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbfenhed_id;enhed_navn;overenhed_id")


def test_only_hr_of_the_whole_kommune_and_never_an_outsider(org_a, org_b):
    with org_a.scope():
        job = ImportJob.objects.create(
            kommune=org_a.kommune, kind="organisation", created_by=org_a.hr, filename="x.csv"
        )
    urls = [
        reverse("import_upload", args=["organisation"]),
        reverse("import_template", args=["organisation"]),
        reverse("import_job", args=[job.pk]),
    ]
    for person in (org_a.employee, org_a.leader, org_a.chef):
        for url in urls:
            assert client_for(person).get(url).status_code == 404, (person, url)
        assert client_for(person).post(reverse("import_job_apply", args=[job.pk])).status_code == (
            404
        )
    outsider = client_for(org_b.hr)
    assert outsider.get(reverse("import_job", args=[job.pk])).status_code == 404
    assert outsider.post(reverse("import_job_apply", args=[job.pk])).status_code == 404
    on_our_host = client_for(org_b.hr, kommune=org_a.kommune)
    for url in urls:
        assert on_our_host.get(url).status_code == 404
    assert client_for(org_a.hr).get(reverse("import_upload", args=["ukendt"])).status_code == 404
