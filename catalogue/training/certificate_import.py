"""Certificates people already have, from a CSV or XLSX (the old training register, a
course provider's list), through the dry run → apply flow of `kompetence.infra.imports`.

A row is one certificate: a person (by employee number, as the organisation import
knows them), one of the kommune's requirements (by name, case does not matter), the day
it was completed and, if the file knows it, the day it stops being valid; without it the
requirement's validity decides (`certificate_valid_until`). A certificate with the same
person, requirement and completion day is already there and is left as it is, so
importing the same file again changes nothing. Certificates are only added, never
changed or deleted: older ones are the person's history.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Certificate, TrainingRequirement
from catalogue.training.selectors import certificate_valid_until
from kompetence.infra.imports import Plan, Progress
from kompetence.infra.tabular import Column, Row, Table, ValueProblem, parse_date
from kompetence.models import Kommune, Person
from kompetence.permissions import is_kommune_hr

COLUMNS = [
    Column(
        "person",
        "medarbejdernr",
        ("medarbejdernummer", "medarbejder_nr", "tjenestenummer", "employee_number"),
        help=gettext_lazy(
            "Personens medarbejdernummer i løn-/HR-systemet, som i importen af organisationen."
        ),
    ),
    Column(
        "requirement",
        "krav",
        ("kravets_navn", "uddannelse", "requirement"),
        help=gettext_lazy(
            "Navnet på et af kommunens obligatoriske krav, fx »Førstehjælp«. Store og små "
            "bogstaver betyder ikke noget."
        ),
    ),
    Column(
        "completed_on",
        "gennemført",
        ("gennemfoert", "gennemført_dato", "dato", "completed_on"),
        help=gettext_lazy("Den dag, uddannelsen blev gennemført, 31-12-2026 eller 2026-12-31."),
    ),
    Column(
        "valid_until",
        "gyldig_til",
        ("udløber", "udloeber", "udløbsdato", "valid_until"),
        required=False,
        help=gettext_lazy(
            "Den sidste dag, certifikatet gælder. Tom: kravets gyldighed regnet fra "
            "gennemførelsen, eller uden udløb, hvis kravet ikke udløber."
        ),
    ),
    Column(
        "note",
        "note",
        ("bemærkning", "bemaerkning", "kommentar"),
        required=False,
        help=gettext_lazy("Fx hvem der holdt kurset. Vises ved certifikatet."),
    ),
]

LABELS = {
    "certificate_create": gettext_lazy("Nye certifikater"),
    "certificate_exists": gettext_lazy("Findes allerede (ændres ikke)"),
}
NOTE_LENGTH = 300
# A date cell a spreadsheet wrote as its serial number: days since 30 December 1899.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIAL = re.compile(r"\d{5}")


def parse_day(text: str) -> datetime.date | None:
    """A date as `parse_date` reads it, or as the day number Excel stores a date as
    (45658 is 2025-01-01), which a CSV saved from a sheet without a date format has."""
    if EXCEL_SERIAL.fullmatch(text.strip()):
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    return parse_date(text)


@dataclass(frozen=True)
class CertificateSpec:
    line: int
    person_id: int
    requirement_id: int
    completed_on: datetime.date
    valid_until: datetime.date | None
    note: str
    label: str


@dataclass
class Lookups:
    people: dict[str, tuple[int, str]]  # employee number → (id, name)
    requirements: dict[str, list[TrainingRequirement]]  # casefolded name → requirements

    @classmethod
    def load(cls, kommune: Kommune) -> Lookups:
        requirements: dict[str, list[TrainingRequirement]] = defaultdict(list)
        for requirement in TrainingRequirement.objects.filter(kommune=kommune).order_by("pk"):
            requirements[requirement.name.casefold()].append(requirement)
        return cls(
            people={
                number: (pk, name)
                for pk, number, name in Person.objects.filter(kommune=kommune).values_list(
                    "pk", "employee_number", "name"
                )
            },
            requirements=dict(requirements),
        )

    def requirement(self, text: str) -> TrainingRequirement:
        found = self.requirements.get(text.casefold(), [])
        if len(found) > 1:
            raise ValueProblem(
                _("Flere krav hedder »%(name)s«, med forskellige store og små bogstaver.")
                % {"name": text}
            )
        if not found:
            raise ValueProblem(_("Kravet »%(name)s« findes ikke i kommunen.") % {"name": text})
        return found[0]


class CertificateImporter:
    kind = "certifikater"
    title = gettext_lazy("Certifikater for obligatoriske krav")
    description = gettext_lazy(
        "Certifikater, medarbejderne allerede har, fx fra et tidligere kursusregister, som "
        "CSV (UTF-8 eller Windows-1252, adskilt med ; eller ,) eller XLSX."
    )
    template_name = "catalogue/training/certificate_import_help.html"
    columns = COLUMNS
    labels = LABELS

    def allowed(self, person: Person) -> bool:
        return is_kommune_hr(person)

    def option_fields(self) -> dict:
        return {}

    def describe_options(self, options: dict) -> str:
        return ""

    # --- The dry run ---------------------------------------------------------------

    def plan(self, *, kommune: Kommune, table: Table, options: dict, progress: Progress) -> Plan:
        plan = Plan(labels=LABELS, unchanged=frozenset({"certificate_exists"}), work=[])
        lookups = Lookups.load(kommune)
        today = timezone.localdate()
        specs: list[CertificateSpec] = []
        first_line: dict[tuple, int] = {}
        for index, row in enumerate(table.rows):
            if index % 1000 == 0:
                progress(index * 80 // max(len(table.rows), 1))
            spec = self._read(plan, table, row, lookups, today)
            if spec is None:
                continue
            key = (spec.person_id, spec.requirement_id, spec.completed_on)
            if key in first_line:
                plan.problem(
                    _("Samme person, krav og dato står også i linje %(other)s.")
                    % {"other": first_line[key]},
                    row.line,
                    table.name_of("completed_on"),
                )
                continue
            first_line[key] = row.line
            specs.append(spec)
        if plan.problems or not specs:
            return plan
        existing = set(
            Certificate.objects.filter(
                kommune=kommune,
                requirement_id__in={s.requirement_id for s in specs},
                completed_on__range=(
                    min(s.completed_on for s in specs),
                    max(s.completed_on for s in specs),
                ),
            ).values_list("person_id", "requirement_id", "completed_on")
        )
        for spec in specs:
            if (spec.person_id, spec.requirement_id, spec.completed_on) in existing:
                plan.add("certificate_exists", spec.label)
            else:
                plan.add("certificate_create", spec.label)
                plan.work.append(spec)
        progress(100)
        return plan

    def _read(
        self, plan: Plan, table: Table, row: Row, lookups: Lookups, today: datetime.date
    ) -> CertificateSpec | None:
        name_of, line = table.name_of, row.line
        before = len(plan.problems)
        person = requirement = completed_on = valid_until = None
        number = row["person"]
        if not number:
            plan.problem(_("Medarbejdernummer mangler."), line, name_of("person"))
        else:
            person = lookups.people.get(number)
            if person is None:
                plan.problem(
                    _("Der er ingen person med medarbejdernummer %(number)s i kommunen.")
                    % {"number": number},
                    line,
                    name_of("person"),
                )
        if not row["requirement"]:
            plan.problem(_("Kravets navn mangler."), line, name_of("requirement"))
        else:
            try:
                requirement = lookups.requirement(row["requirement"])
            except ValueProblem as problem:
                plan.problem(str(problem), line, name_of("requirement"))
        try:
            completed_on = parse_day(row["completed_on"])
        except ValueProblem as problem:
            plan.problem(str(problem), line, name_of("completed_on"))
        else:
            if completed_on is None:
                plan.problem(_("Datoen for gennemførelsen mangler."), line, name_of("completed_on"))
            elif completed_on > today:
                plan.problem(
                    _("Datoen ligger i fremtiden: en uddannelse kan ikke være gennemført endnu."),
                    line,
                    name_of("completed_on"),
                )
        if table.has("valid_until"):
            try:
                valid_until = parse_day(row["valid_until"])
            except ValueProblem as problem:
                plan.problem(str(problem), line, name_of("valid_until"))
            else:
                if valid_until and completed_on and valid_until < completed_on:
                    plan.problem(
                        _("»Gyldig til« ligger før gennemførelsesdatoen."),
                        line,
                        name_of("valid_until"),
                    )
        note = row["note"]
        if len(note) > NOTE_LENGTH:
            plan.problem(
                _("Noten må højst være %(max)s tegn.") % {"max": NOTE_LENGTH},
                line,
                name_of("note"),
            )
        if len(plan.problems) > before or person is None or requirement is None:
            return None
        assert completed_on is not None  # a missing date is a problem above
        if valid_until is None:
            valid_until = certificate_valid_until(requirement, completed_on)
        return CertificateSpec(
            line=line,
            person_id=person[0],
            requirement_id=requirement.pk,
            completed_on=completed_on,
            valid_until=valid_until,
            note=note,
            label=_label(line, person, number, requirement, completed_on, valid_until),
        )

    # --- Applying ------------------------------------------------------------------

    def apply(self, *, kommune: Kommune, plan: Plan, progress: Progress) -> None:
        now = timezone.now()
        Certificate.objects.bulk_create(
            [
                Certificate(
                    kommune=kommune,
                    person_id=spec.person_id,
                    requirement_id=spec.requirement_id,
                    completed_on=spec.completed_on,
                    valid_until=spec.valid_until,
                    source=Certificate.Source.IMPORT,
                    note=spec.note,
                    recorded_by=plan.actor,
                    recorded_at=now,
                )
                for spec in plan.work
            ],
            batch_size=1000,
        )
        progress(100)


def _label(line, person, number, requirement, completed_on, valid_until) -> str:
    if valid_until is None:
        until = _("uden udløb")
    else:
        until = _("gyldig til %(date)s") % {"date": date_format(valid_until, "SHORT_DATE_FORMAT")}
    return _(
        "Linje %(line)s: %(name)s (%(number)s), %(requirement)s, gennemført %(date)s, %(until)s"
    ) % {
        "line": line,
        "name": person[1],
        "number": number,
        "requirement": requirement.name,
        "date": date_format(completed_on, "SHORT_DATE_FORMAT"),
        "until": until,
    }


certificate_importer = CertificateImporter()
