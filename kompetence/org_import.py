"""The organisation import: units, people and positions from the payroll/HR system
(an SD or KMD export), as CSV or XLSX. The columns are documented on the import page
and in docs/import.md.

One row is a unit, a person in a unit, or both: payroll exports repeat the unit's name
and parent on every employee's row, and a unit without employees gets a row of its
own. Units and people are matched on their ids in the payroll system (the unit id,
the employee number), so importing the same file again changes nothing.

A *full* import (the default) is the whole organisation: a person who is placed in an
imported unit but missing from the file has left and is deactivated — never deleted,
their evaluations and signed plans stay — and an imported unit missing from the file
is closed. People the import never placed (such as the first HR administrator) are
left alone.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetence.infra import figures
from kompetence.infra.extensions import POSITION_ATTRIBUTES, positions_changed
from kompetence.infra.imports import Plan, Progress
from kompetence.infra.tabular import Column, Table, ValueProblem, parse_bool, parse_date
from kompetence.invitations import revoke_open
from kompetence.models import (
    Kommune,
    MEDCommittee,
    MEDMembership,
    OrgUnit,
    Person,
    Position,
    User,
)
from kompetence.permissions import is_kommune_hr

COLUMNS = [
    Column(
        "unit_id",
        "enhed_id",
        ("enhedsid", "enheds_id", "unit_id", "afdeling_id"),
        help=gettext_lazy("Enhedens id i løn-/HR-systemet."),
    ),
    Column(
        "unit_name",
        "enhed_navn",
        ("enhedsnavn", "enhed", "unit_name", "afdeling"),
        help=gettext_lazy(
            "Enhedens navn. Kan stå tomt på en medarbejders linje, hvis "
            "enheden er beskrevet på en anden linje eller findes i forvejen."
        ),
    ),
    Column(
        "parent_id",
        "overenhed_id",
        ("overordnet_enhed_id", "overenhedsid", "parent_unit_id", "parent_id"),
        help=gettext_lazy("Id på enheden over. Tom for den øverste enhed (direktionen)."),
    ),
    Column(
        "unit_kind",
        "enhed_type",
        ("enhedstype", "unit_type"),
        required=False,
        help=gettext_lazy(
            "direktion, center, afdeling eller team. Udelades den, "
            "bestemmes typen af niveauet i træet."
        ),
    ),
    Column(
        "employee_number",
        "medarbejdernr",
        ("medarbejdernummer", "medarbejder_nr", "tjenestenummer", "employee_number"),
        help=gettext_lazy(
            "Personens nummer i lønsystemet. Tom på en linje, der kun beskriver en enhed."
        ),
    ),
    Column("name", "navn", ("fulde_navn", "name"), help=gettext_lazy("Personens navn.")),
    Column(
        "email",
        "email",
        ("e_mail", "mail", "e_mailadresse"),
        help=gettext_lazy("Arbejdsmail. Bruges til log ind og påmindelser."),
    ),
    Column(
        "job_title",
        "stilling",
        ("stillingsbetegnelse", "job_title", "titel"),
        help=gettext_lazy("Stillingsbetegnelsen."),
    ),
    Column(
        "leader",
        "leder",
        ("er_leder", "leader"),
        help=gettext_lazy(
            "ja, hvis personen er leder af enheden (og dermed af alle "
            "enheder under den); ellers nej eller tom."
        ),
    ),
    Column(
        "start_date",
        "startdato",
        ("start", "start_date", "fra"),
        required=False,
        help=gettext_lazy(
            "Stillingens første dag, 31-12-2026 eller 2026-12-31. Tom: i dag "
            "for en ny stilling, uændret for en eksisterende."
        ),
    ),
    Column(
        "end_date",
        "slutdato",
        ("slut", "end_date", "til"),
        required=False,
        help=gettext_lazy("Stillingens sidste dag, hvis den er kendt."),
    ),
]

# Optional, after the job profile and other position columns: who sits on which MED
# committee (kompetence.org_import.OrganisationImporter._plan_med).
MED_COLUMN = Column(
    "med",
    "med",
    ("med_udvalg", "medudvalg"),
    required=False,
    help=gettext_lazy(
        "De MED-udvalg, personen sidder i, adskilt med komma. Skriv (formand) eller "
        "(næstformand) efter udvalgets navn for formand og næstformand. Et udvalg, der "
        "ikke findes, oprettes og dækker den enhed, formanden står i på sin linje. "
        "Tom: personen sidder ikke i noget udvalg. Udelad kolonnen, hvis I vedligeholder "
        "udvalgene under MED-udvalg."
    ),
)

UNIT_KINDS = {
    "direktion": OrgUnit.Kind.DIREKTION,
    "center": OrgUnit.Kind.CENTER,
    "forvaltning": OrgUnit.Kind.CENTER,
    "afdeling": OrgUnit.Kind.AFDELING,
    "institution": OrgUnit.Kind.AFDELING,
    "team": OrgUnit.Kind.TEAM,
}
KIND_BY_DEPTH = [OrgUnit.Kind.DIREKTION, OrgUnit.Kind.CENTER, OrgUnit.Kind.AFDELING]

LABELS = {
    "unit_create": gettext_lazy("Nye enheder"),
    "unit_change": gettext_lazy("Ændrede enheder"),
    "unit_reactivate": gettext_lazy("Enheder, der åbnes igen"),
    "unit_deactivate": gettext_lazy("Enheder, der lukkes (mangler i filen)"),
    "person_create": gettext_lazy("Nye personer"),
    "person_change": gettext_lazy("Ændrede personer"),
    "person_reactivate": gettext_lazy("Personer, der aktiveres igen"),
    "person_deactivate": gettext_lazy("Fratrådte, der deaktiveres (mangler i filen)"),
    "position_create": gettext_lazy("Nye stillinger"),
    "position_change": gettext_lazy("Ændrede stillinger"),
    "position_end": gettext_lazy("Stillinger, der afsluttes (flyttet til en anden enhed)"),
    "med_create": gettext_lazy("Nye MED-udvalg"),
    "med_join": gettext_lazy("Nye medlemmer af MED-udvalg"),
    "med_role": gettext_lazy("Nye roller i MED-udvalg"),
    "med_leave": gettext_lazy("Medlemmer, der går ud af et MED-udvalg"),
}

# The three levels of MED, recognised at the start of a committee's name ("Center-MED
# Børn og Familie", "LokalMED Skovbrynet"); a name that says none of them gets the
# level of the unit it covers.
MED_KIND_PREFIXES = {
    "hovedmed": MEDCommittee.Kind.HOVED,
    "centermed": MEDCommittee.Kind.CENTER,
    "lokalmed": MEDCommittee.Kind.LOKAL,
}
# Keyed by an `OrgUnit.Kind` value, as a unit's `kind` (a plain str) looks it up.
MED_KIND_BY_UNIT: dict[str, MEDCommittee.Kind] = {
    OrgUnit.Kind.DIREKTION: MEDCommittee.Kind.HOVED,
    OrgUnit.Kind.CENTER: MEDCommittee.Kind.CENTER,
}
MED_ROLES = {
    "formand": MEDMembership.Role.CHAIR,
    "næstformand": MEDMembership.Role.VICE_CHAIR,
    "naestformand": MEDMembership.Role.VICE_CHAIR,
    "medlem": MEDMembership.Role.MEMBER,
}
MED_ENTRY = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]*)\)$")


@dataclass
class UnitSpec:
    external_id: str
    line: int
    name: str = ""
    parent_id: str = ""
    kind: str = ""
    described: bool = False  # a row gave its name (and so its parent)


@dataclass
class PersonSpec:
    line: int
    employee_number: str
    name: str
    email: str
    unit_id: str
    job_title: str
    is_leader: bool
    start_date: datetime.date | None
    end_date: datetime.date | None
    attributes: dict = field(default_factory=dict)  # column key -> key or None
    # The MED committees the person sits on: (name, role); None without the column.
    med: list[tuple[str, str]] | None = None


@dataclass
class Work:
    """What `apply` writes, worked out by `plan`."""

    units_new: list[UnitSpec] = field(default_factory=list)
    units_changed: list[OrgUnit] = field(default_factory=list)
    units_closed: list[OrgUnit] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)  # unit id -> parent unit id
    persons_new: list[PersonSpec] = field(default_factory=list)
    persons_changed: list[Person] = field(default_factory=list)
    persons_off: list[Person] = field(default_factory=list)
    positions_changed: list[Position] = field(default_factory=list)
    positions_ended: list[Position] = field(default_factory=list)
    # (person spec, unit id): positions to create for new and existing people.
    positions_new: list[tuple[PersonSpec, Person | None]] = field(default_factory=list)
    attributes: dict[str, dict] = field(default_factory=dict)  # column -> {position: key}
    touched_person_ids: set[int] = field(default_factory=set)
    # MED: committees to create (name, kind, unit id of the chair's row), memberships to
    # add (employee number, committee name in lower case, role), to change and to end.
    med_new: list[tuple[str, str, str]] = field(default_factory=list)
    med_add: list[tuple[str, str, str]] = field(default_factory=list)
    med_changed: list[MEDMembership] = field(default_factory=list)
    med_removed: list[MEDMembership] = field(default_factory=list)


def _kind(text: str) -> str:
    kind = UNIT_KINDS.get(text.strip().lower())
    if kind is None:
        raise ValueProblem(
            _("Ukendt enhedstype »%(value)s«. Skriv direktion, center, afdeling eller team.")
            % {"value": text}
        )
    return kind


class OrganisationImporter:
    kind = "organisation"
    title = gettext_lazy("Organisation og medarbejdere")
    description = gettext_lazy(
        "Enheder, personer og stillinger fra løn- eller HR-systemet (fx et udtræk fra SD "
        "eller KMD), som CSV (UTF-8 eller Windows-1252, adskilt med ; eller ,) eller XLSX."
    )
    template_name = "kompetence/import_org_help.html"
    labels = LABELS

    @property
    def columns(self) -> list[Column]:
        return [*COLUMNS, *(attribute.column for attribute in POSITION_ATTRIBUTES), MED_COLUMN]

    def allowed(self, person: Person) -> bool:
        return is_kommune_hr(person)

    def option_fields(self) -> dict:
        from django import forms

        return {
            "full": forms.BooleanField(
                label=_("Filen er hele organisationen"),
                help_text=_(
                    "Personer og enheder, der mangler i filen, deaktiveres (de slettes "
                    "ikke). Fjern krydset, hvis filen kun er en del af organisationen."
                ),
                required=False,
                initial=True,
            )
        }

    def describe_options(self, options: dict) -> str:
        if options.get("full", True):
            return _("Filen er hele organisationen: det, der mangler i filen, deaktiveres.")
        return _("Filen er en del af organisationen: intet deaktiveres.")

    # --- The dry run ---------------------------------------------------------------

    def plan(self, *, kommune: Kommune, table: Table, options: dict, progress: Progress) -> Plan:
        plan = Plan(labels=LABELS, work=Work())
        units, people = self._read_rows(plan, table, kommune, progress)
        existing_units = {
            u.external_id: u
            for u in OrgUnit.objects.filter(kommune=kommune)
            .exclude(external_id="")
            .select_related("parent")
        }
        self._check_tree(plan, table, units, existing_units)
        if plan.problems:
            return plan
        self._plan_units(plan, kommune, units, existing_units, full=options.get("full", True))
        self._plan_people(
            plan, kommune, table, people, units, existing_units, full=options.get("full", True)
        )
        if table.has("med"):
            self._plan_med(plan, kommune, table, people, units, existing_units)
        progress(100)
        return plan

    def _read_rows(self, plan, table, kommune, progress):
        name_of = table.name_of
        units: dict[str, UnitSpec] = {}
        people: dict[str, PersonSpec] = {}
        attributes = [a for a in POSITION_ATTRIBUTES if table.has(a.column.key)]
        choices = {a.column.key: a.choices(kommune) for a in attributes}
        has = {key: table.has(key) for key in ("unit_kind", "start_date", "end_date")}
        for index, row in enumerate(table.rows):
            if index % 2000 == 0:
                progress(index * 60 // max(len(table.rows), 1))
            line = row.line
            unit_id = row["unit_id"]
            if not unit_id:
                plan.problem(_("Enheds-id mangler."), line, name_of("unit_id"))
                continue
            spec = units.setdefault(unit_id, UnitSpec(external_id=unit_id, line=line))
            if row["unit_name"]:
                parent_id = row["parent_id"]
                if parent_id == unit_id:
                    plan.problem(
                        _("En enhed kan ikke ligge under sig selv."), line, name_of("parent_id")
                    )
                if not spec.described:
                    spec.name, spec.parent_id, spec.described, spec.line = (
                        row["unit_name"],
                        parent_id,
                        True,
                        line,
                    )
                elif spec.name != row["unit_name"]:
                    plan.problem(
                        _("Enheden %(id)s hedder »%(name)s« i linje %(other)s.")
                        % {"id": unit_id, "name": spec.name, "other": spec.line},
                        line,
                        name_of("unit_name"),
                    )
                elif spec.parent_id != parent_id:
                    plan.problem(
                        _("Enheden %(id)s ligger under »%(parent)s« i linje %(other)s.")
                        % {"id": unit_id, "parent": spec.parent_id or "–", "other": spec.line},
                        line,
                        name_of("parent_id"),
                    )
            elif row["parent_id"]:
                plan.problem(
                    _("Skriv enhedens navn, når overenheden er udfyldt."),
                    line,
                    name_of("unit_name"),
                )
            if has["unit_kind"] and row["unit_kind"]:
                try:
                    spec.kind = _kind(row["unit_kind"])
                except ValueProblem as problem:
                    plan.problem(str(problem), line, name_of("unit_kind"))

            person_fields = ("employee_number", "name", "email", "job_title")
            if not any(row[key] for key in person_fields):
                if row["med"]:
                    plan.problem(_("MED-udvalg skrives på en persons linje."), line, name_of("med"))
                continue
            person = self._read_person(plan, row, table, has, attributes, choices)
            if person is None:
                continue
            first = people.get(person.employee_number)
            if first is not None:
                plan.problem(
                    _("Medarbejdernummer %(number)s står også i linje %(other)s.")
                    % {"number": person.employee_number, "other": first.line},
                    line,
                    name_of("employee_number"),
                )
                continue
            people[person.employee_number] = person
        return units, people

    def _read_person(self, plan, row, table, has, attributes, choices) -> PersonSpec | None:
        name_of, line = table.name_of, row.line
        before = len(plan.problems)
        for key, message in (
            ("employee_number", _("Medarbejdernummer mangler.")),
            ("name", _("Navn mangler.")),
            ("job_title", _("Stillingsbetegnelse mangler.")),
        ):
            if not row[key]:
                plan.problem(message, line, name_of(key))
        email = row["email"]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                plan.problem(
                    _("»%(value)s« er ikke en gyldig e-mailadresse.") % {"value": email},
                    line,
                    name_of("email"),
                )
        values: dict[str, Any] = {}
        for key, parse in (
            ("leader", parse_bool),
            ("start_date", parse_date),
            ("end_date", parse_date),
        ):
            if key != "leader" and not has[key]:
                values[key] = None
                continue
            try:
                values[key] = parse(row[key])
            except ValueProblem as problem:
                plan.problem(str(problem), line, name_of(key))
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            plan.problem(_("Slutdatoen ligger før startdatoen."), line, name_of("end_date"))
        chosen: dict[str, Any] = {}
        for attribute in attributes:
            key = attribute.column.key
            text = row[key].strip()
            if not text:
                chosen[key] = None
            elif text.lower() in choices[key]:
                chosen[key] = choices[key][text.lower()]
            else:
                plan.problem(
                    _("»%(value)s« findes ikke i kommunen.") % {"value": text},
                    line,
                    attribute.column.name,
                )
        med = self._read_med(plan, row, table) if table.has("med") else None
        if len(plan.problems) > before:
            return None
        return PersonSpec(
            line=line,
            employee_number=row["employee_number"],
            name=row["name"],
            email=email.lower(),
            unit_id=row["unit_id"],
            job_title=row["job_title"],
            is_leader=values["leader"],
            start_date=start,
            end_date=end,
            attributes=chosen,
            med=med,
        )

    def _read_med(self, plan, row, table) -> list[tuple[str, str]]:
        """`Center-MED Omsorg (formand), Hoved-MED` → [(name, role), ...]."""
        entries: list[tuple[str, str]] = []
        for text in row["med"].split(","):
            text = " ".join(text.split())
            if not text:
                continue
            name, role = text, MEDMembership.Role.MEMBER
            match = MED_ENTRY.match(text)
            if match and match["role"].strip().lower() in MED_ROLES:
                name, role = match["name"], MED_ROLES[match["role"].strip().lower()]
            if not name or len(name) > 200:
                plan.problem(
                    _("»%(value)s« er ikke et navn på et MED-udvalg.") % {"value": text[:80]},
                    row.line,
                    table.name_of("med"),
                )
            elif any(name.lower() == other.lower() for other, _role in entries):
                plan.problem(
                    _("MED-udvalget »%(name)s« står to gange.") % {"name": name},
                    row.line,
                    table.name_of("med"),
                )
            else:
                entries.append((name, role))
        return entries

    def _check_tree(self, plan, table, units, existing_units) -> None:
        name_of = table.name_of
        for spec in units.values():
            if not spec.described and spec.external_id not in existing_units:
                plan.problem(
                    _(
                        "Enheden %(id)s findes ikke i kommunen. Skriv dens navn i kolonnen "
                        "»%(column)s«."
                    )
                    % {"id": spec.external_id, "column": name_of("unit_name")},
                    spec.line,
                    name_of("unit_name"),
                )
            if (
                spec.described
                and spec.parent_id
                and spec.parent_id not in units
                and spec.parent_id not in existing_units
            ):
                plan.problem(
                    _("Overenheden %(id)s findes hverken i filen eller i kommunen.")
                    % {"id": spec.parent_id},
                    spec.line,
                    name_of("parent_id"),
                )
        # A cycle (A under B under A) would make the tree endless.
        parent_of = {
            u.external_id: (u.parent.external_id if u.parent_id and u.parent else "")
            for u in existing_units.values()
        }
        parent_of.update({s.external_id: s.parent_id for s in units.values() if s.described})
        reported = set()
        for start in units:
            seen, current = [], start
            while current and current not in seen:
                seen.append(current)
                current = parent_of.get(current, "")
            if current and current == start and start not in reported:
                reported.update(seen)
                plan.problem(
                    _("Enhederne %(ids)s ligger under hinanden i ring.")
                    % {"ids": " → ".join([*seen, start])},
                    units[start].line,
                    name_of("parent_id"),
                )

    def _plan_units(self, plan, kommune, units, existing_units, *, full: bool) -> None:
        work: Work = plan.work
        parent_name = {s.external_id: s.name for s in units.values() if s.described}
        parent_name.update({k: u.name for k, u in existing_units.items() if k not in parent_name})
        for spec in units.values():
            unit = existing_units.get(spec.external_id)
            if not spec.described:
                if unit is not None and not unit.is_active:
                    unit.is_active = True
                    work.units_changed.append(unit)
                    plan.add("unit_reactivate", f"{unit.name} ({unit.external_id})")
                continue
            work.parents[spec.external_id] = spec.parent_id
            where = (
                _("under %(parent)s") % {"parent": parent_name.get(spec.parent_id, "")}
                if spec.parent_id
                else _("øverst")
            )
            if unit is None:
                work.units_new.append(spec)
                plan.add(
                    "unit_create",
                    _("Linje %(line)s: %(name)s (%(id)s), %(where)s")
                    % {
                        "line": spec.line,
                        "name": spec.name,
                        "id": spec.external_id,
                        "where": where,
                    },
                )
                continue
            changes = []
            current_parent = unit.parent.external_id if unit.parent_id and unit.parent else ""
            if unit.name != spec.name:
                changes.append(f"{unit.name} → {spec.name}")
                unit.name = spec.name
            if current_parent != spec.parent_id:
                changes.append(where)
            if spec.kind and unit.kind != spec.kind:
                changes.append(f"{unit.get_kind_display()} → {OrgUnit.Kind(spec.kind).label}")
                unit.kind = spec.kind
            if not unit.is_active:
                unit.is_active = True
                plan.add("unit_reactivate", f"{unit.name} ({unit.external_id})")
                if not changes:
                    work.units_changed.append(unit)
            if changes:
                work.units_changed.append(unit)
                plan.add(
                    "unit_change",
                    _("Linje %(line)s: %(name)s (%(id)s): %(changes)s")
                    % {
                        "line": spec.line,
                        "name": unit.name,
                        "id": unit.external_id,
                        "changes": "; ".join(changes),
                    },
                )
        if full:
            for external_id, unit in existing_units.items():
                if external_id not in units and unit.is_active:
                    unit.is_active = False
                    work.units_closed.append(unit)
                    plan.add("unit_deactivate", f"{unit.name} ({external_id})")

    def _plan_people(self, plan, kommune, table, people, units, existing_units, *, full):
        work: Work = plan.work
        today = timezone.localdate()
        persons = {p.employee_number: p for p in Person.objects.filter(kommune=kommune)}
        persons_by_pk = {p.pk: p for p in persons.values()}
        imported_unit_ids = {u.pk: k for k, u in existing_units.items()}
        positions_by_person: dict[int, list[Position]] = defaultdict(list)
        for position in Position.objects.filter(
            kommune=kommune, unit_id__in=list(imported_unit_ids)
        ).order_by("start_date", "pk"):
            positions_by_person[position.person_id].append(position)
        attributes = [a for a in POSITION_ATTRIBUTES if table.has(a.column.key)]
        current = {
            a.column.key: a.current([p.pk for ps in positions_by_person.values() for p in ps])
            for a in attributes
        }
        for a in attributes:
            work.attributes[a.column.key] = {}

        for spec in people.values():
            person = persons.get(spec.employee_number)
            label = f"{spec.name} ({spec.employee_number})"
            if person is None:
                work.persons_new.append(spec)
                work.positions_new.append((spec, None))
                plan.add(
                    "person_create",
                    _("Linje %(line)s: %(person)s i %(unit)s")
                    % {
                        "line": spec.line,
                        "person": label,
                        "unit": self._unit_name(spec, units, existing_units),
                    },
                )
                plan.add("position_create", f"{label}: {spec.job_title}")
                continue
            changes = []
            if person.name != spec.name:
                changes.append(f"{person.name} → {spec.name}")
                person.name = spec.name
            if person.email.lower() != spec.email:
                changes.append(f"{person.email or '–'} → {spec.email or '–'}")
                person.email = spec.email
            reactivated = not person.is_active
            if reactivated:
                person.is_active, person.left_on = True, None
                work.touched_person_ids.add(person.pk)
                plan.add("person_reactivate", label)
            if changes or reactivated:
                work.persons_changed.append(person)
            if changes:
                plan.add(
                    "person_change",
                    _("Linje %(line)s: %(person)s: %(changes)s")
                    % {
                        "line": spec.line,
                        "person": label,
                        "changes": "; ".join(changes),
                    },
                )
            self._plan_position(
                plan,
                spec,
                person,
                positions_by_person.get(person.pk, []),
                existing_units,
                current,
                today,
            )

        if full:
            in_file = set(people)
            for person_id, positions in positions_by_person.items():
                if not any(p.end_date is None or p.end_date >= today for p in positions):
                    continue
                person = persons_by_pk.get(person_id)
                if person is None or not person.is_active or person.employee_number in in_file:
                    continue
                person.is_active, person.left_on = False, timezone.localdate()
                work.persons_off.append(person)
                work.touched_person_ids.add(person.pk)
                plan.add("person_deactivate", f"{person.name} ({person.employee_number})")

    def _plan_med(self, plan, kommune, table, people, units, existing_units) -> None:
        """Each person in the file sits on exactly the open committees their cell names.
        A committee named for the first time is created, covering the unit of its
        chair's line (in MED the chair is the area's leader)."""
        work: Work = plan.work
        column = table.name_of("med")
        committees = {
            c.name.lower(): c for c in MEDCommittee.objects.open().filter(kommune=kommune)
        }
        chairs: dict[str, PersonSpec] = {}
        for spec in people.values():
            for name, role in spec.med or []:
                if role != MEDMembership.Role.CHAIR:
                    continue
                other = chairs.setdefault(name.lower(), spec)
                if other is not spec:
                    plan.problem(
                        _("»%(name)s« har også en formand i linje %(other)s.")
                        % {"name": name, "other": other.line},
                        spec.line,
                        column,
                    )
        new_names: set[str] = set()
        for spec in people.values():
            for name, _role in spec.med or []:
                key = name.lower()
                if key in committees or key in new_names:
                    continue
                chair = chairs.get(key)
                if chair is None:
                    plan.problem(
                        _(
                            "MED-udvalget »%(name)s« findes ikke og har ingen formand i filen. "
                            "Skriv (formand) efter navnet hos formanden: udvalget kommer til at "
                            "dække den enhed, formanden står i."
                        )
                        % {"name": name},
                        spec.line,
                        column,
                    )
                    new_names.add(key)
                    continue
                unit_kind = (units[chair.unit_id].kind if chair.unit_id in units else "") or (
                    existing_units[chair.unit_id].kind if chair.unit_id in existing_units else ""
                )
                compact = re.sub(r"[\s\-]", "", name.lower())
                kind = next(
                    (k for prefix, k in MED_KIND_PREFIXES.items() if compact.startswith(prefix)),
                    MED_KIND_BY_UNIT.get(unit_kind, MEDCommittee.Kind.LOKAL),
                )
                new_names.add(key)
                work.med_new.append((name, kind, chair.unit_id))
                plan.add(
                    "med_create",
                    _("%(name)s (%(kind)s), dækker %(unit)s")
                    % {
                        "name": name,
                        "kind": MEDCommittee.Kind(kind).label,
                        "unit": self._unit_name(chair, units, existing_units),
                    },
                )
        if plan.problems:
            return
        current: dict[str, dict[str, MEDMembership]] = defaultdict(dict)
        for existing in MEDMembership.objects.filter(
            kommune=kommune, committee__closed_on__isnull=True
        ).select_related("committee", "person"):
            current[existing.person.employee_number][existing.committee.name.lower()] = existing
        for spec in people.values():
            label = f"{spec.name} ({spec.employee_number})"
            now = current.get(spec.employee_number, {})
            wanted = {name.lower(): (name, role) for name, role in spec.med or []}
            for key, (name, role) in wanted.items():
                membership = now.get(key)
                role_label = MEDMembership.Role(role).label
                if membership is None:
                    work.med_add.append((spec.employee_number, key, role))
                    plan.add("med_join", f"{label}: {name} ({role_label})")
                elif membership.role != role:
                    membership.role = role
                    work.med_changed.append(membership)
                    plan.add("med_role", f"{label}: {name} ({role_label})")
            for key, membership in now.items():
                if key not in wanted:
                    work.med_removed.append(membership)
                    plan.add("med_leave", f"{label}: {membership.committee.name}")

    def _unit_name(self, spec, units, existing_units) -> str:
        unit = units.get(spec.unit_id)
        if unit is not None and unit.described:
            return unit.name
        return existing_units[spec.unit_id].name

    def _plan_position(self, plan, spec, person, positions, existing_units, current, today):
        work: Work = plan.work
        label = f"{spec.name} ({spec.employee_number})"
        unit = existing_units.get(spec.unit_id)
        here = [p for p in positions if unit is not None and p.unit_id == unit.pk]
        position = here[-1] if here else None
        if (
            position is not None
            and position.end_date
            and position.end_date < today
            and spec.end_date is None
        ):
            position = None  # back in a unit they left: a new position, history kept
        start = spec.start_date or today
        for other in positions:
            if other is position or (other.end_date and other.end_date < today):
                continue
            other.end_date = max(other.start_date, start - datetime.timedelta(days=1))
            work.positions_ended.append(other)
            work.touched_person_ids.add(person.pk)
            plan.add("position_end", f"{label}: {other.job_title}")
        if position is None:
            work.positions_new.append((spec, person))
            work.touched_person_ids.add(person.pk)
            plan.add("position_create", f"{label}: {spec.job_title}")
            return
        changes = []
        if position.job_title != spec.job_title:
            changes.append(f"{position.job_title} → {spec.job_title}")
            position.job_title = spec.job_title
        if position.is_leader != spec.is_leader:
            changes.append(_("leder") if spec.is_leader else _("ikke leder"))
            position.is_leader = spec.is_leader
        if spec.start_date and position.start_date != spec.start_date:
            changes.append(_("start %(date)s") % {"date": spec.start_date.isoformat()})
            position.start_date = spec.start_date
        if position.end_date != spec.end_date:
            changes.append(
                _("slut %(date)s") % {"date": spec.end_date.isoformat()}
                if spec.end_date
                else _("ingen slutdato")
            )
            position.end_date = spec.end_date
        for attribute in POSITION_ATTRIBUTES:
            key = attribute.column.key
            if key not in spec.attributes:
                continue
            wanted, now = spec.attributes[key], current[key].get(position.pk)
            if wanted != now:
                work.attributes[key][position.pk] = wanted
                changes.append(f"{attribute.column.name}: {now or '–'} → {wanted or '–'}")
        if changes:
            work.positions_changed.append(position)
            work.touched_person_ids.add(person.pk)
            plan.add(
                "position_change",
                _("Linje %(line)s: %(person)s: %(changes)s")
                % {
                    "line": spec.line,
                    "person": label,
                    "changes": "; ".join(changes),
                },
            )

    # --- Applying ------------------------------------------------------------------

    def apply(self, *, kommune: Kommune, plan: Plan, progress: Progress) -> None:
        work: Work = plan.work
        units = self._apply_units(kommune, work)
        progress(30)
        persons = self._apply_people(kommune, work)
        progress(70)
        self._apply_positions(kommune, work, units, persons)
        self._apply_med(kommune, work, units, persons)
        progress(90)
        # Positions and people changed in bulk: the dashboards' figures of their units.
        figures.people_changed(work.touched_person_ids)
        if work.touched_person_ids:
            positions_changed.send(
                sender=Position, kommune_id=kommune.pk, person_ids=sorted(work.touched_person_ids)
            )
        progress(100)

    def _apply_units(self, kommune, work: Work) -> dict[str, OrgUnit]:
        created = OrgUnit.objects.bulk_create(
            [
                OrgUnit(
                    kommune=kommune,
                    name=s.name,
                    kind=s.kind or OrgUnit.Kind.AFDELING,
                    external_id=s.external_id,
                    path="~",
                )
                for s in work.units_new
            ],
            batch_size=1000,
        )
        explicit_kind = {s.external_id for s in work.units_new if s.kind}
        OrgUnit.objects.bulk_update(
            work.units_changed + work.units_closed, ["name", "kind", "is_active"], batch_size=1000
        )
        # Parents and paths for the whole kommune, worked out in memory: a move or a new
        # unit deep in the tree changes the paths of everything under it.
        everything = list(OrgUnit.objects.filter(kommune=kommune))
        by_external = {u.external_id: u for u in everything if u.external_id}
        by_pk = {u.pk: u for u in everything}
        for external_id, parent_id in work.parents.items():
            unit = by_external[external_id]
            unit.parent_id = by_external[parent_id].pk if parent_id else None
        paths: dict[int, tuple[str, int]] = {}

        def path_of(unit: OrgUnit) -> tuple[str, int]:
            chain = []
            node: OrgUnit | None = unit
            while node is not None and node.pk not in paths:
                chain.append(node)
                node = by_pk.get(node.parent_id) if node.parent_id else None
            prefix, depth = paths[node.pk] if node is not None else ("/", 0)
            for item in reversed(chain):
                prefix, depth = f"{prefix}{item.pk}/", depth + 1
                paths[item.pk] = (prefix, depth)
            return paths[unit.pk]

        new_ids = {u.pk for u in created}
        changed = []
        for unit in everything:
            before = (unit.path, unit.depth, unit.parent_id, unit.kind)
            unit.path, unit.depth = path_of(unit)
            if unit.pk in new_ids and unit.external_id not in explicit_kind:
                unit.kind = KIND_BY_DEPTH[unit.depth - 1] if unit.depth <= 3 else OrgUnit.Kind.TEAM
            if (unit.path, unit.depth, unit.parent_id, unit.kind) != before:
                changed.append(unit)
        OrgUnit.objects.bulk_update(changed, ["path", "depth", "parent", "kind"], batch_size=1000)
        return by_external

    def _apply_people(self, kommune, work: Work) -> dict[str, Person]:
        taken = set(User.objects.filter(kommune=kommune).values_list("username", flat=True))
        unusable = make_password(None)
        users = []
        for spec in work.persons_new:
            username = spec.email if spec.email and spec.email not in taken else ""
            username = username or spec.employee_number.lower()
            suffix = 1
            while username in taken:
                suffix += 1
                username = f"{spec.employee_number.lower()}-{suffix}"
            taken.add(username)
            # Each unusable password is "!" + random; the same one for all is as unusable
            # and saves hashing 45,000 random strings.
            users.append(
                User(kommune=kommune, username=username, email=spec.email, password=unusable)
            )
        users = User.objects.bulk_create(users, batch_size=2000)
        new = Person.objects.bulk_create(
            [
                Person(
                    kommune=kommune,
                    user=user,
                    employee_number=spec.employee_number,
                    name=spec.name,
                    email=spec.email,
                )
                for spec, user in zip(work.persons_new, users, strict=True)
            ],
            batch_size=2000,
        )
        now = timezone.now()
        for person in work.persons_changed + work.persons_off:
            person.updated_at = now
        Person.objects.bulk_update(
            work.persons_changed + work.persons_off,
            ["name", "email", "is_active", "left_on", "updated_at"],
            batch_size=2000,
        )
        # The login follows the person: same e-mail, and no sign-in after leaving.
        by_user = {p.user_id: p for p in work.persons_changed + work.persons_off if p.user_id}
        logins = list(User.objects.filter(pk__in=list(by_user)))
        for login in logins:
            login.email, login.is_active = by_user[login.pk].email, by_user[login.pk].is_active
        User.objects.bulk_update(logins, ["email", "is_active"], batch_size=2000)
        revoke_open(user_ids=[p.user_id for p in work.persons_off if p.user_id])
        work.touched_person_ids.update(p.pk for p in new)
        return {p.employee_number: p for p in new}

    def _apply_positions(self, kommune, work: Work, units, new_persons) -> None:
        today = timezone.localdate()
        Position.objects.bulk_update(
            work.positions_changed + work.positions_ended,
            ["job_title", "is_leader", "start_date", "end_date"],
            batch_size=2000,
        )
        specs = []
        created = []
        for spec, person in work.positions_new:
            person = person or new_persons[spec.employee_number]
            specs.append(spec)
            created.append(
                Position(
                    kommune=kommune,
                    person=person,
                    unit=units[spec.unit_id],
                    job_title=spec.job_title,
                    is_leader=spec.is_leader,
                    start_date=spec.start_date or today,
                    end_date=spec.end_date,
                )
            )
        created = Position.objects.bulk_create(created, batch_size=2000)
        for attribute in POSITION_ATTRIBUTES:
            key = attribute.column.key
            if key not in work.attributes:
                continue
            values = dict(work.attributes[key])
            for spec, position in zip(specs, created, strict=True):
                if spec.attributes.get(key):
                    values[position.pk] = spec.attributes[key]
            if values:
                attribute.apply(kommune, values)

    def _apply_med(self, kommune, work: Work, units, new_persons) -> None:
        created = MEDCommittee.objects.bulk_create(
            MEDCommittee(kommune=kommune, name=name, kind=kind, unit=units[unit_id])
            for name, kind, unit_id in work.med_new
        )
        committees = {
            c.name.lower(): c for c in MEDCommittee.objects.open().filter(kommune=kommune)
        }
        committees.update({c.name.lower(): c for c in created})
        MEDMembership.objects.filter(pk__in=[m.pk for m in work.med_removed]).delete()
        MEDMembership.objects.bulk_update(work.med_changed, ["role"])
        wanted = {number for number, _key, _role in work.med_add}
        persons = dict(new_persons)
        persons.update(
            (p.employee_number, p)
            for p in Person.objects.filter(
                kommune=kommune, employee_number__in=wanted - set(persons)
            )
        )
        MEDMembership.objects.bulk_create(
            MEDMembership(
                kommune=kommune, committee=committees[key], person=persons[number], role=role
            )
            for number, key, role in work.med_add
        )


organisation_importer = OrganisationImporter()
