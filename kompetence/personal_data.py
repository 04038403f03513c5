"""The personal data export (GDPR article 15, the right of access): one ZIP with
everything Kompetence holds about a person, for the person themselves or for HR
answering a request on their behalf.

Private notes are read only by their author, so they reach the person only through
the person's own download: an export HR makes on someone's behalf leaves out every
section marked `private` and its README says what was left out and how the person
fetches it themselves (under "Mine data", signed in). HR never holds the notes.

The organisation core writes the person record, positions, MED memberships and the
audit entries about the person; the apps further along the data flow add their own
files through `extensions.register_personal_data`, so this module never imports them.
Every section issues a fixed number of queries, so an export costs the same number
of queries however much data the person has.

Next to each part of the export sits its part of the deletion (GDPR storage
limitation): `erasers()` lists what `annualcycle.retention` runs to make a leaver
anonymous, the apps' parts (`extensions.register_personal_data_eraser`) first and the
core's last, which anonymises the person record itself. And for every tenant model,
its app records what the two do with its rows (`extensions.register_data_decisions`);
tests/kompetence/test_tenant_models.py fails for a tenant model without a decision.
"""

from __future__ import annotations

import datetime
import io
import json
import textwrap
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetence.audit import audit_record
from kompetence.infra.extensions import (
    PERSONAL_DATA_ERASERS,
    PERSONAL_DATA_SECTIONS,
    DataDecision,
    PersonalDataEraser,
    PersonalDataSection,
    Reason,
    not_personal_data,
)
from kompetence.models import (
    AuditEntry,
    ImportJob,
    Invitation,
    MEDCommittee,
    MEDMembership,
    OrgUnit,
    OrgUnitUserObjectPermission,
    Person,
    Position,
    SsoIdentity,
    User,
)

FORMAT = "kompetence-persondata/1"
README = "README.txt"


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal | Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_bytes(data) -> bytes:
    """The export's JSON: UTF-8 as written (æ, ø, å stay readable), indented, with dates
    and times in ISO 8601 (times in the kommune's time zone, with the offset)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)
    return (text + "\n").encode("utf-8")


def person_ref(person: Person | None) -> dict | None:
    """How the export names another person: name and employee number, nothing more."""
    if person is None:
        return None
    return {"name": person.name, "employee_number": person.employee_number}


# --- The core's own section ----------------------------------------------------------


def _unit_names(positions: list[Position]) -> dict[int, str]:
    """Names of every unit on the way down to the person's units: one query."""
    ids = {pk for position in positions for pk in position.unit.ancestor_ids}
    return dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name"))


def _core_files(person: Person) -> dict[str, bytes]:
    person = Person.objects.select_related("user", "kommune").get(pk=person.pk)
    positions = list(
        Position.objects.filter(person=person).select_related("unit").order_by("start_date", "pk")
    )
    unit_names = _unit_names(positions)
    memberships = MEDMembership.objects.filter(person=person).select_related("committee")
    user = person.user
    record = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "kommune": person.kommune.name,
        "person": {
            "name": person.name,
            "employee_number": person.employee_number,
            "email": person.email,
            "is_active": person.is_active,
            "is_hr": person.is_hr,
            "created_at": person.created_at,
            "updated_at": person.updated_at,
        },
        "login": None
        if user is None
        else {
            "username": user.username,
            "email": user.email,
            "language": user.language,
            "is_active": user.is_active,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            # The accounts at the kommune's identity provider that sign in to it.
            "sso_accounts": list(
                SsoIdentity.objects.filter(kommune=person.kommune, user=user)
                .order_by("linked_at", "pk")
                .values("issuer", "subject", "linked_at")
            ),
        },
        "positions": [
            {
                "job_title": position.job_title,
                "unit": position.unit.name,
                "unit_path": [unit_names.get(pk, "") for pk in position.unit.ancestor_ids],
                "is_leader": position.is_leader,
                "start_date": position.start_date,
                "end_date": position.end_date,
            }
            for position in positions
        ],
        "med_memberships": [
            {
                "committee": membership.committee.name,
                "kind": membership.committee.get_kind_display(),
                "role": membership.get_role_display(),
            }
            for membership in memberships
        ],
    }
    entries = AuditEntry.objects.filter(subject=person).select_related("actor").order_by("at", "pk")
    audit = [
        {
            "at": entry.at,
            "actor": person_ref(entry.actor),
            "action": entry.action,
            "action_label": entry.get_action_display(),
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "summary": entry.summary,
            "details": entry.details,
        }
        for entry in entries
    ]
    return {"person.json": json_bytes(record), "adgangslog.json": json_bytes(audit)}


CORE_SECTION = PersonalDataSection(
    files=_core_files,
    description=gettext_lazy(
        "person.json: dine stamoplysninger (navn, medarbejdernummer, e-mail), dit login, "
        "dine stillinger med enhed og periode og dine MED-udvalg. adgangslog.json: "
        "adgangsloggen om dig – hvem der har læst, ændret, underskrevet eller hentet "
        "dine data, og hvornår."
    ),
)


def _core_erase(person: Person) -> None:
    """Replaces the person's name, e-mail and employee number and deletes their login
    (its SSO accounts and unit grants go with it)."""
    login = person.user_id
    person.name = _("Anonymiseret person")
    person.email = ""
    person.employee_number = f"anonymiseret-{person.pk}"
    person.user = None
    person.anonymised_at = timezone.now()
    person.save(
        update_fields=["name", "email", "employee_number", "user", "anonymised_at", "updated_at"]
    )
    if login:
        User.objects.filter(pk=login).delete()


CORE_ERASER = PersonalDataEraser(erase=_core_erase)

AUDIT_TRAIL = Reason(
    "kept: the audit trail, the record of who saw the person's data, now about an "
    "anonymous person; retention adds an entry saying when and under which rule"
)

CORE_DECISIONS = {
    User: DataDecision(export=_core_files, erase=_core_erase),
    Person: DataDecision(export=_core_files, erase=_core_erase),
    SsoIdentity: DataDecision(export=_core_files, erase=_core_erase),
    Invitation: DataDecision(
        export=Reason(
            "an invitation link's hash and its dates: the login's administration, shown "
            "to HR on the person's page; the link itself is never stored"
        ),
        erase=_core_erase,  # deleted with the login
    ),
    OrgUnitUserObjectPermission: DataDecision(
        export=Reason(
            "a grant on a unit to a login (a substitute leader, an HR delegate): the "
            "kommune's access settings, shown to HR on the unit's page"
        ),
        erase=_core_erase,  # deleted with the login
    ),
    Position: DataDecision(
        export=_core_files,
        erase=Reason(
            "kept: a position places the now anonymous person in a unit for a period, so "
            "the units' figures for past years still add up"
        ),
    ),
    MEDMembership: DataDecision(
        export=_core_files,
        erase=Reason("kept: the committee's past members, now naming an anonymous person"),
    ),
    AuditEntry: DataDecision(export=_core_files, erase=AUDIT_TRAIL),
    ImportJob: DataDecision(
        export=Reason(
            "HR's uploaded file and its result, about the organisation or the catalogue; "
            "each person's own data is exported from their records"
        ),
        erase=Reason(
            "kept: the record of what an import changed and who uploaded it, as the file "
            "was on that day"
        ),
    ),
    OrgUnit: not_personal_data("the kommune's organisation tree"),
    MEDCommittee: not_personal_data("the kommune's MED committees and what they cover"),
}


def sections(*, private: bool = True) -> list[PersonalDataSection]:
    """Every part of the export, the core's first; without the private ones (the
    person's own notes) when `private` is False."""
    return [part for part in (CORE_SECTION, *PERSONAL_DATA_SECTIONS) if private or not part.private]


def private_sections() -> list[PersonalDataSection]:
    return [part for part in PERSONAL_DATA_SECTIONS if part.private]


def erasers() -> list[PersonalDataEraser]:
    """Every part of making a person anonymous, in order: the apps' parts first (in the
    order of INSTALLED_APPS), then the core's, which anonymises the person record."""
    return [*PERSONAL_DATA_ERASERS, CORE_ERASER]


# --- The ZIP ---------------------------------------------------------------------------


def _readme(
    person: Person,
    parts: list[PersonalDataSection],
    made_at: datetime.datetime,
    left_out: list[PersonalDataSection],
) -> bytes:
    paragraphs = [
        _("Dine data fra Kompetence"),
        _(
            "Denne ZIP-fil indeholder alt, hvad Kompetence har registreret om "
            "%(name)s (medarbejdernummer %(number)s). Den er lavet %(when)s."
        )
        % {
            "name": person.name,
            "number": person.employee_number,
            "when": formats.date_format(timezone.localtime(made_at), "DATETIME_FORMAT"),
        },
        _("Filerne:"),
        *(f"* {part.description}" for part in parts),
        *(
            [
                _(
                    "Ikke med i denne fil: dine private noter. Filen er lavet af HR på dine "
                    "vegne, og dine private noter læser kun du selv. Du henter dem ved at "
                    "logge ind i Kompetence og vælge »Mine data«; den fil, du selv henter "
                    "der, indeholder også:"
                ),
                *(f"* {part.description}" for part in left_out),
            ]
            if left_out
            else []
        ),
        _(
            "JSON-filerne er tekst (UTF-8) og kan åbnes i en teksteditor eller en browser. "
            "Feltnavnene er på engelsk (fx name = navn, level = niveau, comment = "
            "kommentar). Datoer og tidspunkter står efter ISO 8601, fx 2027-03-01 og "
            "2027-03-01T10:00:00+01:00 (dansk tid)."
        ),
        _(
            "Lederens private forberedelsesnoter til MUS er ikke med: de er lederens egne "
            "arbejdsnoter. Lederens vurdering af dig er med, når lederen har indsendt den."
        ),
        _(
            "Har du spørgsmål til dine data, eller mener du, at noget er forkert, så kontakt "
            "HR (Personale og Udvikling) i din kommune."
        ),
    ]
    lines = []
    for paragraph in paragraphs:
        indent = "  " if paragraph.startswith("* ") else ""
        lines.append(textwrap.fill(paragraph, width=78, subsequent_indent=indent))
    return ("\n\n".join(lines) + "\n").encode("utf-8")


def personal_data_files(person: Person, *, private: bool) -> dict[str, bytes]:
    """Every file of the person's export, README.txt included. `private` says whether
    the person's own private notes go in: True only when the person downloads their
    own data."""
    parts = sections(private=private)
    files: dict[str, bytes] = {}
    for part in parts:
        for name, data in part.files(person).items():
            if name in files or name == README:
                raise ValueError(f"Two sections of the personal data export write {name}")
            files[name] = data
    left_out = [] if private else private_sections()
    files[README] = _readme(person, parts, timezone.now(), left_out)
    return files


def personal_data_zip(person: Person, *, private: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in personal_data_files(person, private=private).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass(frozen=True)
class PersonalDataExport:
    filename: str
    content: bytes


@transaction.atomic
def personal_data_export(*, request, subject: Person) -> PersonalDataExport:
    """The ZIP of `subject`'s data, logged as an export by the request's person.

    The caller has checked that the request's person may export `subject`'s data.
    Security contract: the subject's private notes are in the ZIP only when the
    subject is the one downloading it; for anyone else (HR answering a request on the
    subject's behalf) they are left out, and README.txt says so. The log entry is
    written first, so the export lists itself in adgangslog.json; if building the ZIP
    fails, the transaction takes the entry back with it."""
    private = request.person.pk == subject.pk
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=subject,
        obj=subject,
        summary=_("Persondata (ZIP)") if private else _("Persondata (ZIP, uden private noter)"),
        details={"format": "ZIP"},
    )
    content = personal_data_zip(subject, private=private)
    today = timezone.localdate().isoformat()
    filename = get_valid_filename(f"persondata-{subject.employee_number}-{today}.zip")
    return PersonalDataExport(filename=filename, content=content)
