"""Competence frameworks in and out of Kompetence: our own versioned JSON format
(profiles/schemas/framework-v1.schema.json) and the CSV layout of Moodle's competency
framework tool (admin/tool/lpimportcsv), so a kommune can bring a framework from its LMS.

An import reads the whole file into a plain description (`FrameworkData`), checks all of
it, and only then writes it, in one transaction, as a new draft: a new framework with
version 1, or a new draft version of an existing framework (the one HR picks, or the
one with the file's Moodle ID number). A published version is never touched. Moodle
trees deeper than our two levels are flattened when HR asks (`_flattened_groups`).
Every problem is a Danish sentence that names where it is (a JSON path such as
`groups[2].competences[0].name`, or a line of the CSV file); a rejected file stores
nothing.

docs/framework-format.md describes both formats and what a Moodle round trip keeps.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

import jsonschema
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetence.infra import tabular
from kompetence.infra.downloads import filename_part
from kompetence.models import Kommune
from profiles import selectors, services
from profiles.models import (
    Competence,
    CompetenceGroup,
    Framework,
    FrameworkVersion,
    RatingScale,
    Role,
    ScaleLevel,
)

FORMAT = "kompetence-framework"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schemas" / "framework-v1.schema.json"
# Ready-made frameworks in this format (the demo kommuner's, to begin with), imported
# with `framework_import_json` like any file HR brings.
STARTER_FRAMEWORKS_DIR = Path(__file__).parent / "frameworks"
# A framework of a few hundred competences with long texts is well under this.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# More problems than this are summed up: a file that bad needs fixing at its source.
MAX_PROBLEMS = 20


class ImportRefused(ValidationError):
    """The file was not imported; `messages` says why, in Danish, by path or line."""


@dataclass(frozen=True)
class Imported:
    version: FrameworkVersion
    # The name in the file, when a framework of that name existed and the new one was
    # given another; empty otherwise.
    renamed_from: str = ""
    # The file's framework ID number matched this kommune's framework, so the file
    # became its next version (rather than a new framework).
    matched: bool = False
    # Levels of the tree in the file (Moodle), and whether it was flattened to two.
    depth: int = 2
    flattened: bool = False


# --- The plain description both formats are read into -------------------------------


@dataclass
class LevelData:
    value: int
    label_da: str
    label_en: str = ""
    description_da: str = ""
    description_en: str = ""
    not_applicable: bool = False
    where: str = ""
    # Moodle's scale configuration: the default level, and the proficient ones.
    default: bool = False
    proficient: bool = False


@dataclass
class ScaleData:
    name: str
    levels: list[LevelData]
    # Moodle's layout carries only each level's value, Danish label and whether it is
    # "not applicable"; an existing scale is then matched on those alone.
    labels_only: bool = False


@dataclass
class CompetenceData:
    name: str
    key: uuid.UUID | None = None
    short_description: str = ""
    what: str = ""
    why: str = ""
    how: str = ""
    kind: str = Competence.Kind.GENERAL
    roles: list[str] = field(default_factory=list)
    idnumber: str = ""


@dataclass
class GroupData:
    name: str
    key: uuid.UUID | None = None
    description: str = ""
    competences: list[CompetenceData] = field(default_factory=list)
    idnumber: str = ""


@dataclass
class FrameworkData:
    name: str
    description: str
    scale: ScaleData
    groups: list[GroupData]
    idnumber: str = ""
    depth: int = 2
    flattened: bool = False

    @property
    def default_level(self) -> int | None:
        return next((level.value for level in self.scale.levels if level.default), None)

    @property
    def proficient_from(self) -> int | None:
        """The lowest proficient level. Kompetence keeps a threshold: Moodle's
        proficient levels are, in practice, the top of the scale."""
        values = [lv.value for lv in self.scale.levels if lv.proficient and not lv.not_applicable]
        return min(values, default=None)


def _refuse(problems: list[str]) -> ImportRefused:
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        more = _("… og %(count)s fejl mere. Ret de første, og prøv igen.") % {"count": rest}
        problems = [*problems[:MAX_PROBLEMS], more]
    return ImportRefused(problems)


def _check_size(data: bytes) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse(
            [
                _("Filen er for stor (%(size)s). En rammefil må højst fylde %(max)s.")
                % {"size": filesizeformat(len(data)), "max": filesizeformat(MAX_IMPORT_BYTES)}
            ]
        )
    if not data.strip():
        raise _refuse([_("Filen er tom.")])


# --- Our JSON format: export ----------------------------------------------------------


def framework_document(*, version: FrameworkVersion) -> dict:
    """`version` as a document of our JSON format. Order numbers are positions (1, 2,
    …), so the same framework always gives the same document."""
    structure = selectors.version_structure(version)
    framework = version.framework
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": framework.name,
        "description": framework.description,
        "scale": {
            "name": framework.scale.name,
            "levels": [
                {
                    "value": level.value,
                    "label_da": level.label_da,
                    "label_en": level.label_en,
                    "description_da": level.description_da,
                    "description_en": level.description_en,
                    "not_applicable": level.is_not_applicable,
                    **_level_use(level, version),
                }
                for level in structure.levels
            ],
        },
        "groups": [
            {
                "key": str(entry.group.key),
                **_idnumber(entry.group.idnumber),
                "name": entry.group.name,
                "description": entry.group.description,
                "order": group_order,
                "competences": [
                    {
                        "key": str(competence.key),
                        **_idnumber(competence.idnumber),
                        "name": competence.name,
                        "short_description": competence.short_description,
                        "what": competence.what,
                        "why": competence.why,
                        "how": competence.how,
                        "kind": competence.kind,
                        "roles": list(competence.roles),
                        "order": order,
                    }
                    for order, competence in enumerate(entry.competences, start=1)
                ],
            }
            for group_order, entry in enumerate(structure.groups, start=1)
        ],
    }
    if framework.idnumber:
        document["idnumber"] = framework.idnumber
    return document


def _idnumber(idnumber: str) -> dict:
    # Written only when there is one, so a framework made here gives the same document
    # as before ID numbers were kept.
    return {"idnumber": idnumber} if idnumber else {}


def _level_use(level: ScaleLevel, version: FrameworkVersion) -> dict:
    use = {}
    if version.default_level is not None:
        use["default"] = level.value == version.default_level
    if version.proficient_from is not None:
        use["proficient"] = not level.is_not_applicable and level.value >= version.proficient_from
    return use


def framework_export_json(*, version: FrameworkVersion) -> bytes:
    document = framework_document(version=version)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_filename(version: FrameworkVersion, extension: str) -> str:
    slug = filename_part(version.framework.name, "kompetenceramme")
    return f"{slug}-v{version.number}.{extension}"


# --- Our JSON format: import ----------------------------------------------------------


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


TYPE_NAMES = {
    "string": gettext_lazy("tekst"),
    "integer": gettext_lazy("et heltal"),
    "number": gettext_lazy("et tal"),
    "boolean": gettext_lazy("true eller false"),
    "array": gettext_lazy("en liste"),
    "object": gettext_lazy("et objekt"),
    "null": gettext_lazy("null"),
}


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _shown(value) -> str:
    """A value from the file as a message quotes it: text as it is, anything else as
    JSON; cut short, since it may be anything."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else f"{text[:80]}…"


def _schema_problems(error: jsonschema.ValidationError) -> list[str]:
    """A jsonschema error as Danish sentences naming the path; never its raw text."""
    path = _path(error.absolute_path)
    expected: Any
    value: Any
    keyword, expected, value = error.validator, error.validator_value, error.instance

    def at(sub: str) -> str:
        return f"{path}.{sub}" if path else sub

    if keyword == "required":
        return [
            _("%(path)s: feltet mangler.") % {"path": at(name)}
            for name in expected
            if name not in value
        ]
    if keyword == "additionalProperties":
        known = set(cast(dict, error.schema).get("properties", {}))
        return [
            _("%(path)s: feltet findes ikke i formatet. Tilladte felter her: %(fields)s.")
            % {"path": at(name), "fields": ", ".join(sorted(known))}
            for name in sorted(set(value) - known)
        ]
    where = path or _("filen")
    if keyword == "type":
        expected = [expected] if isinstance(expected, str) else expected
        return [
            _("%(path)s: skal være %(expected)s, ikke %(actual)s.")
            % {
                "path": where,
                "expected": f" {_('eller')} ".join(str(TYPE_NAMES[t]) for t in expected),
                "actual": TYPE_NAMES[_json_type(value)],
            }
        ]
    if keyword == "enum":
        return [
            _("%(path)s: »%(value)s« er ikke tilladt. Brug en af: %(allowed)s.")
            % {"path": where, "value": _shown(value), "allowed": ", ".join(map(str, expected))}
        ]
    if keyword == "const":
        return [_("%(path)s: skal være %(expected)s.") % {"path": where, "expected": expected}]
    if keyword == "minLength":
        return [_("%(path)s: må ikke være tom.") % {"path": where}]
    if keyword == "maxLength":
        return [
            _("%(path)s: er for lang (%(length)s tegn); højst %(max)s tegn.")
            % {"path": where, "length": len(value), "max": expected}
        ]
    if keyword == "minimum":
        return [_("%(path)s: skal være mindst %(min)s.") % {"path": where, "min": expected}]
    if keyword == "maximum":
        return [_("%(path)s: må højst være %(max)s.") % {"path": where, "max": expected}]
    if keyword == "minItems":
        return [
            _("%(path)s: skal have mindst %(min)s elementer.") % {"path": where, "min": expected}
        ]
    if keyword == "uniqueItems":
        return [_("%(path)s: nævner den samme værdi flere gange.") % {"path": where}]
    if keyword == "pattern":
        # Only keys have a pattern in the schema.
        return [
            _("%(path)s: »%(value)s« er ikke et gyldigt id (et UUID som %(example)s).")
            % {
                "path": where,
                "value": _shown(value),
                "example": "0f8fad5b-d9cb-469f-a165-70867728950e",
            }
        ]
    return [_("%(path)s: værdien er ugyldig.") % {"path": where}]


def _load_json(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse([_("Filen er ikke UTF-8-kodet tekst, så den kan ikke være JSON.")]) from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse(
            [
                _("Filen er ikke gyldig JSON: fejl i linje %(line)s, tegn %(column)s.")
                % {"line": error.lineno, "column": error.colno}
            ]
        ) from error


def _parse_document(document) -> FrameworkData:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refuse(
            [
                _(
                    "Filen er ikke en kompetenceramme i Kompetences format: feltet »format« "
                    "skal være »%(format)s«."
                )
                % {"format": FORMAT}
            ]
        )
    if document.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            [
                _(
                    "format_version: filen har formatversion %(found)s; Kompetence kan læse "
                    "version %(supported)s."
                )
                % {"found": document.get("format_version"), "supported": FORMAT_VERSION}
            ]
        )
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    if errors:
        raise _refuse([problem for error in errors for problem in _schema_problems(error)])

    problems: list[str] = []

    def text(value: str, where: str) -> str:
        value = value.strip()
        if not value:
            problems.append(_("%(path)s: må ikke være tom.") % {"path": where})
        return value

    scale = document["scale"]
    levels = [
        LevelData(
            value=level["value"],
            label_da=text(level["label_da"], f"scale.levels[{i}].label_da"),
            label_en=level.get("label_en", "").strip() or level["label_da"].strip(),
            description_da=level.get("description_da", "").strip(),
            description_en=level.get("description_en", "").strip(),
            not_applicable=level.get("not_applicable", False),
            where=f"scale.levels[{i}].value",
            default=level.get("default", False),
            proficient=level.get("proficient", False),
        )
        for i, level in enumerate(scale["levels"])
    ]
    groups = []
    for i, group in _ordered(document["groups"]):
        where = f"groups[{i}]"
        competences = [
            CompetenceData(
                name=text(competence["name"], f"{where}.competences[{j}].name"),
                key=_key(competence.get("key")),
                short_description=competence.get("short_description", "").strip(),
                what=competence.get("what", "").strip(),
                why=competence.get("why", "").strip(),
                how=competence.get("how", "").strip(),
                kind=competence.get("kind", Competence.Kind.GENERAL),
                idnumber=competence.get("idnumber", "").strip(),
                # Stored in the roles' own order, as the editor stores them.
                roles=[r for r in Role.values if r in competence.get("roles", [])],
            )
            for j, competence in _ordered(group.get("competences", []))
        ]
        groups.append(
            GroupData(
                name=text(group["name"], f"{where}.name"),
                key=_key(group.get("key")),
                idnumber=group.get("idnumber", "").strip(),
                description=group.get("description", "").strip(),
                competences=competences,
            )
        )
    problems += _duplicate_keys(document["groups"])
    problems += _duplicate_idnumbers(document["groups"])
    data = FrameworkData(
        name=text(document["name"], "name"),
        description=document.get("description", "").strip(),
        scale=ScaleData(name=text(scale["name"], "scale.name"), levels=levels),
        groups=groups,
        idnumber=document.get("idnumber", "").strip(),
    )
    problems += _scale_problems(data.scale)
    if problems:
        raise _refuse(problems)
    return data


def _ordered(items: list[dict]) -> list[tuple[int, dict]]:
    """(index in the file, item), sorted by `order` and then by place in the file."""
    indexed = list(enumerate(items))
    return sorted(indexed, key=lambda pair: (pair[1].get("order", pair[0]), pair[0]))


def _key(text: str | None) -> uuid.UUID | None:
    return uuid.UUID(text) if text else None


def _duplicate_keys(groups: list[dict]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    places = [(f"groups[{i}]", group) for i, group in enumerate(groups)] + [
        (f"groups[{i}].competences[{j}]", competence)
        for i, group in enumerate(groups)
        for j, competence in enumerate(group.get("competences", []))
    ]
    for where, item in places:
        key = item.get("key")
        if not key:
            continue
        key = key.lower()
        if key in seen:
            problems.append(
                _("%(path)s.key: samme id som %(other)s; hvert id må kun stå én gang.")
                % {"path": where, "other": seen[key]}
            )
        else:
            seen[key] = where
    return problems


def _duplicate_idnumbers(groups: list[dict]) -> list[str]:
    """ID numbers are unique among a version's groups, and among its competences."""
    problems: list[str] = []
    places = [
        [(f"groups[{i}]", group) for i, group in enumerate(groups)],
        [
            (f"groups[{i}].competences[{j}]", competence)
            for i, group in enumerate(groups)
            for j, competence in enumerate(group.get("competences", []))
        ],
    ]
    for kind in places:
        seen: dict[str, str] = {}
        for where, item in kind:
            idnumber = item.get("idnumber", "").strip()
            if not idnumber:
                continue
            if idnumber in seen:
                problems.append(
                    _("%(path)s.idnumber: samme ID-nummer som %(other)s.")
                    % {"path": where, "other": seen[idnumber]}
                )
            else:
                seen[idnumber] = where
    return problems


def _scale_problems(scale: ScaleData) -> list[str]:
    problems, seen = [], set()
    for level in scale.levels:
        if level.value in seen:
            problems.append(
                _("%(where)s: værdien %(value)s står der flere gange på skalaen.")
                % {"where": level.where, "value": level.value}
            )
        seen.add(level.value)
    if all(level.not_applicable for level in scale.levels):
        problems.append(_("Skalaen skal have mindst ét trin, der ikke betyder »ikke relevant«."))
    return problems


def framework_import_json(
    *, kommune: Kommune, data: bytes, framework: Framework | None = None
) -> Imported:
    """Imports a file of our JSON format as a new draft (see `_create_draft`)."""
    _check_size(data)
    parsed = _parse_document(_load_json(data))
    return _create_draft(kommune=kommune, data=parsed, framework=framework)


# --- Starter frameworks ---------------------------------------------------------------


@dataclass(frozen=True)
class StarterFramework:
    """A file in STARTER_FRAMEWORKS_DIR as HR's list of starters shows it."""

    slug: str  # the file's name without .json, which is also its address
    name: str
    description: str
    group_count: int
    competence_count: int


@cache
def starter_frameworks() -> tuple[StarterFramework, ...]:
    """The starter frameworks shipped with Kompetence, by name. Read once per process:
    the files are part of the code."""
    starters = []
    for path in STARTER_FRAMEWORKS_DIR.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        starters.append(
            StarterFramework(
                slug=path.stem,
                name=document["name"],
                description=document.get("description", ""),
                group_count=len(document["groups"]),
                competence_count=sum(len(g.get("competences", [])) for g in document["groups"]),
            )
        )
    return tuple(sorted(starters, key=lambda starter: starter.name))


def starter_framework_import(*, kommune: Kommune, slug: str) -> Imported:
    """Imports the starter framework `slug` as a new framework in draft, as if HR had
    uploaded its file: never published, renamed if the name is taken. An unknown slug
    raises LookupError."""
    if slug not in {starter.slug for starter in starter_frameworks()}:
        raise LookupError(slug)
    data = (STARTER_FRAMEWORKS_DIR / f"{slug}.json").read_bytes()
    return framework_import_json(kommune=kommune, data=data)


# --- Moodle's CSV layout ------------------------------------------------------------
#
# Columns as Moodle's framework_importer::list_required_headers() names them, in its
# order. Moodle itself reads them by position; we read them by name, as every table
# import does (case, spaces and hyphens ignored), so older exports' "Parent id number"
# and "Cross referenced competency id numbers" match too, and "Shortname" is an alias.

MOODLE_COLUMNS = [
    tabular.Column("parent", "Parent ID number"),
    tabular.Column("idnumber", "ID number"),
    tabular.Column("shortname", "Short name", aliases=("Shortname",)),
    tabular.Column("description", "Description"),
    tabular.Column("descriptionformat", "Description format", required=False),
    tabular.Column("scalevalues", "Scale values", required=False),
    tabular.Column("scaleconfiguration", "Scale configuration", required=False),
    tabular.Column("ruletype", "Rule type (optional)", required=False),
    tabular.Column("ruleoutcome", "Rule outcome (optional)", required=False),
    tabular.Column("ruleconfig", "Rule config (optional)", required=False),
    tabular.Column("related", "Cross-referenced competency ID numbers", required=False),
    tabular.Column("exportid", "Exported ID (optional)", required=False),
    tabular.Column("isframework", "Is framework"),
    tabular.Column("taxonomy", "Taxonomy", required=False),
]
FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN = 1, 2, 4
# Headings of the competence description that carry our texts through Moodle. They are
# part of the file format, so they stay Danish whatever the page's language is.
SECTIONS = [("what", "Hvad"), ("why", "Hvorfor"), ("how", "Hvordan")]
META_HEADING = "Type og roller"


def _text_html(text: str) -> str:
    """Plain text as HTML paragraphs: blank lines part paragraphs, a newline is <br>."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(escape(line.strip()) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def _moodle_description(competence: Competence) -> str:
    parts = [_text_html(competence.short_description)]
    for field_name, heading in SECTIONS:
        value = getattr(competence, field_name)
        if value.strip():
            parts.append(f"<h4>{heading}</h4>{_text_html(value)}")
    meta = []
    if competence.kind != Competence.Kind.GENERAL:
        meta.append(f"<p>Type: {escape(competence.get_kind_display())}</p>")
    if competence.roles:
        meta.append(f"<p>Roller: {escape(', '.join(competence.role_labels()))}</p>")
    if meta:
        parts.append(f"<h4>{META_HEADING}</h4>" + "".join(meta))
    return "".join(parts)


def _scale_configuration(levels: list[ScaleLevel], version: FrameworkVersion) -> str:
    """Moodle wants one default level and at least one "proficient" level. A version
    imported from Moodle keeps the ones it came with; otherwise the lowest applicable
    level is the default, and the upper half of the applicable levels is proficient.
    Our value and "not applicable" ride along in extra keys, which Moodle keeps."""
    applicable = [level.value for level in levels if not level.is_not_applicable]
    default = version.default_level
    if default not in applicable:
        default = applicable[0] if applicable else None
    proficient_from = version.proficient_from
    if proficient_from is None or not any(value >= proficient_from for value in applicable):
        proficient_from = applicable[len(applicable) // 2] if applicable else None
    config: list[dict] = [{"scaleid": "0"}]
    for position, level in enumerate(levels, start=1):
        applies = not level.is_not_applicable
        config.append(
            {
                "id": position,
                "scaledefault": int(applies and level.value == default),
                "proficient": int(
                    applies and proficient_from is not None and level.value >= proficient_from
                ),
                "kompetence_value": level.value,
                "kompetence_not_applicable": int(level.is_not_applicable),
            }
        )
    return json.dumps(config)


GENERATED_IDNUMBER = re.compile(r"^kompetence-ramme-(\d+)$")


def framework_idnumber(framework: Framework) -> str:
    """The framework's ID number in Moodle: the one it came with, else one made from
    its id, which never changes, so every export of every version carries the same."""
    return framework.idnumber or f"kompetence-ramme-{framework.pk}"


def framework_export_moodle_csv(*, version: FrameworkVersion) -> bytes:
    """`version` in the layout Moodle's "Import competency framework" reads: the
    framework row, each group as a top-level competency, each competence as its child.
    ID numbers are the ones imported from Moodle, else the keys, so an export imported
    again (here or in Moodle) updates rather than duplicates. Comma separated, UTF-8, as
    Moodle's own export; text that a spreadsheet would read as a formula is written
    after a quote, as in every CSV we make."""
    structure = selectors.version_structure(version)
    framework = version.framework
    rows: list[list] = []
    rows.append(
        [
            "",
            framework_idnumber(framework),
            framework.name,
            _text_html(framework.description),
            FORMAT_HTML,
            # Moodle separates scale items by commas; a comma inside a label cannot go.
            ",".join(level.label_da.replace(",", ";") for level in structure.levels),
            _scale_configuration(structure.levels, version),
            "",
            "",
            "",
            "",
            "",
            1,
            "domain,competency",
        ]
    )
    export_ids = itertools.count(1)
    # The labels of kinds and roles in the descriptions are Danish, as the headings.
    with translation.override("da"):
        for entry in structure.groups:
            group = entry.group
            group_id = group.idnumber or str(group.key)
            lines = [("", group_id, group.name, _text_html(group.description))]
            lines += [
                (group_id, c.idnumber or str(c.key), c.name, _moodle_description(c))
                for c in entry.competences
            ]
            for parent, key, name, description in lines:
                rows.append(
                    [
                        parent,
                        key,
                        name,
                        description,
                        FORMAT_HTML,
                        "",
                        "",
                        "",
                        0,
                        "null",
                        "",
                        next(export_ids),
                        "",
                        "",
                    ]
                )
    return tabular.write_csv(
        [column.name for column in MOODLE_COLUMNS], rows, delimiter=",", bom=False
    )


def _at(row: tabular.Row) -> str:
    return _("Linje %(line)s") % {"line": row.line}


def _moodle_rows(data: bytes) -> list[tabular.Row]:
    """The file's rows, read as the organisation import reads its tables (UTF-8 or
    Windows-1252; comma, semicolon or tab separated; XLSX too), or every header
    mistake at once."""
    try:
        table = tabular.read_table(data, MOODLE_COLUMNS)
    except tabular.TableError as error:
        raise _refuse([str(problem) for problem in error.problems]) from error
    if table.problems:
        raise _refuse([str(problem) for problem in table.problems])
    return table.rows


class _Blocks(HTMLParser):
    """An HTML description as (kind, text) blocks: "h" for headings, "p" for the rest.
    Whitespace collapses as a browser shows it; <br> is a newline."""

    BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "blockquote", "pre", "table", "tr", "td", "th"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.kind = "p"
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCK_TAGS or tag in self.HEADINGS:
            self._flush()
            self.kind = "h" if tag in self.HEADINGS else "p"

    def handle_endtag(self, tag):
        if tag in self.BLOCK_TAGS or tag in self.HEADINGS:
            self._flush()
            self.kind = "p"

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))

    def close(self):
        super().close()
        self._flush()

    def _flush(self):
        text = "\n".join(line.strip() for line in "".join(self.parts).split("\n")).strip()
        if text:
            self.blocks.append((self.kind, text))
        self.parts = []


def _blocks(row: tabular.Row) -> list[tuple[str, str]]:
    description = row["description"]
    try:
        description_format = int(row["descriptionformat"] or FORMAT_HTML)
    except ValueError:
        description_format = FORMAT_HTML
    if description_format in (FORMAT_PLAIN, FORMAT_MARKDOWN):
        paragraphs = re.split(r"\n\s*\n", description)
        return [("p", p.strip()) for p in paragraphs if p.strip()]
    parser = _Blocks()
    parser.feed(description)
    parser.close()
    return parser.blocks


def _plain(row: tabular.Row) -> str:
    return "\n\n".join(text for _kind, text in _blocks(row))


def _choice_lookup(choices) -> dict[str, str]:
    """Codes and Danish labels, lower-cased, to codes."""
    with translation.override("da"):
        return {str(label).lower(): code for code, label in choices} | {
            code: code for code, _label in choices
        }


def _moodle_meta(texts: list[str], row: tabular.Row, problems: list[str]) -> tuple[str, list[str]]:
    kinds, roles = _choice_lookup(Competence.Kind.choices), _choice_lookup(Role.choices)
    kind: str = Competence.Kind.GENERAL
    chosen: set[str] = set()
    with translation.override("da"):
        role_names = ", ".join(str(label) for label in Role.labels)
        kind_names = ", ".join(str(label) for label in Competence.Kind.labels)
    for text in texts:
        match = re.match(r"^(type|roller)\s*:\s*(.*)$", text, re.IGNORECASE | re.DOTALL)
        if match is None:
            problems.append(
                _(
                    "%(where)s: under »%(heading)s« forventes linjer som »Type: Faglig« og "
                    "»Roller: Medarbejder«, ikke »%(text)s«."
                )
                % {"where": _at(row), "heading": META_HEADING, "text": text[:80]}
            )
        elif match[1].lower() == "type":
            found = kinds.get(match[2].strip().lower())
            if found is not None:
                kind = found
            else:
                problems.append(
                    _("%(where)s: typen »%(kind)s« findes ikke. Brug en af: %(kinds)s.")
                    % {"where": _at(row), "kind": match[2].strip(), "kinds": kind_names}
                )
                kind = Competence.Kind.GENERAL
        else:
            for name in filter(None, (n.strip() for n in match[2].split(","))):
                role = roles.get(name.lower())
                if role is None:
                    problems.append(
                        _("%(where)s: rollen »%(role)s« findes ikke. Kendte roller: %(roles)s.")
                        % {"where": _at(row), "role": name, "roles": role_names}
                    )
                else:
                    chosen.add(role)
    return kind, [role for role in Role.values if role in chosen]


def _moodle_competence(row: tabular.Row, problems: list[str]) -> CompetenceData:
    """A child competency. Its description holds the short description first, then our
    what/why/how under their headings, then kind and roles under »Type og roller«; a
    description from elsewhere becomes the short description (or, if longer than a short
    description may be, the "what" text)."""
    headings = {heading.lower(): name for name, heading in SECTIONS}
    headings[META_HEADING.lower()] = "meta"
    sections: dict[str, list[str]] = {"short": [], "what": [], "why": [], "how": [], "meta": []}
    current = "short"
    for kind, text in _blocks(row):
        if kind == "h" and text.lower() in headings:
            current = headings[text.lower()]
        else:
            sections[current].append(text)
    short, what = "\n\n".join(sections["short"]), "\n\n".join(sections["what"])
    short_limit = cast(int, Competence._meta.get_field("short_description").max_length)
    if len(short) > short_limit:
        short, what = "", "\n\n".join(filter(None, [short, what]))
    kind, roles = _moodle_meta(sections["meta"], row, problems)
    return CompetenceData(
        name=row["shortname"],
        key=_uuid_or_none(row["idnumber"]),
        idnumber=row["idnumber"],
        short_description=short,
        what=what,
        why="\n\n".join(sections["why"]),
        how="\n\n".join(sections["how"]),
        kind=kind,
        roles=roles,
    )


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _scale_labels(text: str) -> list[str]:
    return [label.strip() for label in text.split(",")] if text.strip() else []


def _moodle_scale(row: tabular.Row, framework_name: str, problems: list[str]) -> ScaleData:
    labels = _scale_labels(row["scalevalues"])
    where = _at(row)
    if not labels:
        problems.append(
            _("%(where)s: rammen har ingen skala (kolonnen »Scale values« er tom).")
            % {"where": where}
        )
    for label in labels:
        if not label:
            problems.append(
                _("%(where)s: »Scale values« har et trin uden navn.") % {"where": where}
            )
        elif len(label) > 100:
            problems.append(
                _("%(where)s: skalatrinnet »%(label)s…« er for langt; højst 100 tegn.")
                % {"where": where, "label": label[:40]}
            )
    config: Any = []  # JSON from the file
    if row["scaleconfiguration"]:
        try:
            config = json.loads(row["scaleconfiguration"])
        except ValueError:
            config = None
        if not isinstance(config, list) or not all(isinstance(item, dict) for item in config):
            problems.append(
                _("%(where)s: »Scale configuration« er ikke Moodles skalakonfiguration (JSON).")
                % {"where": where}
            )
            config = []
    items: dict[int, dict] = {}
    for item in config[1:]:
        position = item.get("id")
        if isinstance(position, str) and position.isdigit():
            position = int(position)
        if not isinstance(position, int) or not 1 <= position <= len(labels):
            problems.append(
                _(
                    "%(where)s: »Scale configuration« nævner trin %(id)s, men skalaen har "
                    "%(count)s trin."
                )
                % {"where": where, "id": item.get("id"), "count": len(labels)}
            )
            continue
        items[position] = item
    levels = []
    for position, label in enumerate(labels, start=1):
        item = items.get(position, {})
        value = item.get("kompetence_value", position)
        if isinstance(value, bool) or not isinstance(value, int) or not -32768 <= value <= 32767:
            problems.append(
                _("%(where)s: skalatrinnet »%(label)s« har ikke en gyldig værdi (et heltal).")
                % {"where": where, "label": label}
            )
            continue
        levels.append(
            LevelData(
                value=value,
                label_da=label,
                label_en=label,
                not_applicable=bool(item.get("kompetence_not_applicable")),
                where=where,
                default=_flag(item.get("scaledefault")),
                proficient=_flag(item.get("proficient")),
            )
        )
    return ScaleData(
        name=(_("Skala for %(name)s") % {"name": framework_name})[:200],
        levels=levels,
        labels_only=True,
    )


def _flag(value: Any) -> bool:
    # Moodle writes 1 and 0, sometimes as strings.
    return str(value).strip().lower() in ("1", "true")


def _is_framework(text: str) -> bool:
    # As Moodle reads the column (PHP truthiness), plus the words a spreadsheet writes.
    return text.strip().lower() not in ("", "0", "false", "falsk", "nej")


def _parse_moodle(rows: list[tabular.Row], *, flatten: bool = False) -> FrameworkData:
    problems: list[str] = []
    heads = [row for row in rows if _is_framework(row["isframework"])]
    if not heads:
        raise _refuse(
            [_("Filen har ingen rammelinje (en linje med »Is framework« = 1) og kan ikke læses.")]
        )
    head = heads[0]
    problems += [
        _("%(where)s: filen har mere end én rammelinje. Importér én ramme ad gangen.")
        % {"where": _at(row)}
        for row in heads[1:]
    ]
    name = head["shortname"]
    if not name:
        problems.append(
            _("%(where)s: rammen har intet navn (kolonnen »Short name«).") % {"where": _at(head)}
        )
    elif len(name) > 200:
        problems.append(
            _("%(where)s: »Short name« er for langt (%(length)s tegn); højst 200 tegn.")
            % {"where": _at(head), "length": len(name)}
        )
    scale = _moodle_scale(head, name, problems)
    problems += _scale_problems(scale) if scale.levels else []
    framework_labels = _scale_labels(head["scalevalues"])

    by_idnumber: dict[str, tabular.Row] = {}
    for row in rows:
        if _is_framework(row["isframework"]):
            continue
        if not row["idnumber"]:
            problems.append(_("%(where)s: kolonnen »ID number« er tom.") % {"where": _at(row)})
            continue
        if row["idnumber"] in by_idnumber:
            problems.append(
                _("%(where)s: »ID number« »%(id)s« står også i linje %(other)s.")
                % {
                    "where": _at(row),
                    "id": row["idnumber"],
                    "other": by_idnumber[row["idnumber"]].line,
                }
            )
            continue
        by_idnumber[row["idnumber"]] = row
        if not row["shortname"]:
            problems.append(_("%(where)s: kolonnen »Short name« er tom.") % {"where": _at(row)})
        elif len(row["shortname"]) > 200:
            problems.append(
                _("%(where)s: »Short name« er for langt (%(length)s tegn); højst 200 tegn.")
                % {"where": _at(row), "length": len(row["shortname"])}
            )
        own_scale = _scale_labels(row["scalevalues"])
        if own_scale and own_scale != framework_labels:
            problems.append(
                _(
                    "%(where)s: »%(name)s« har sin egen skala. I Kompetence bruger alle "
                    "kompetencer rammens skala; fjern kompetencens skala i Moodle."
                )
                % {"where": _at(row), "name": row["shortname"]}
            )

    children, depth = _moodle_tree(by_idnumber, problems)
    if depth > 2 and not flatten:
        problems.insert(
            0,
            _(
                "Rammen har %(depth)s niveauer, men Kompetence har kun to: grupper og "
                "kompetencer. Sæt flueben ved »Flad rammen ud« for at importere den alligevel: "
                "hver kompetence nederst i træet kommer i en gruppe, der hedder som vejen ned "
                "til den (fx »%(example)s«)."
            )
            % {"depth": depth, "example": _example_path(by_idnumber, children)},
        )
    if problems:
        raise _refuse(problems)
    if depth > 2:
        groups = _flattened_groups(by_idnumber, children, name, problems)
    else:
        groups = [
            GroupData(
                name=row["shortname"],
                key=_uuid_or_none(row["idnumber"]),
                idnumber=row["idnumber"],
                description=_plain(row),
                competences=[
                    _moodle_competence(child, problems)
                    for child in children.get(row["idnumber"], [])
                ],
            )
            for row in children.get("", [])
        ]
    if problems:
        raise _refuse(problems)
    return FrameworkData(
        name=name,
        description=_plain(head),
        scale=scale,
        groups=groups,
        idnumber=head["idnumber"],
        depth=depth,
        flattened=depth > 2,
    )


PATH_SEPARATOR = " › "


def _moodle_tree(
    by_idnumber: dict[str, tabular.Row], problems: list[str]
) -> tuple[dict[str, list[tabular.Row]], int]:
    """Each ID number's children in file order ("" for the top level) and the number of
    levels of the tree. Unknown parents and parents in a loop are problems."""
    children: dict[str, list[tabular.Row]] = {}
    for row in by_idnumber.values():
        if row["parent"] and row["parent"] not in by_idnumber:
            problems.append(
                _("%(where)s: »Parent ID number« »%(parent)s« findes ikke i filen.")
                % {"where": _at(row), "parent": row["parent"]}
            )
            continue
        children.setdefault(row["parent"], []).append(row)
    depth, seen = 0, set()
    level = [("", 0)]
    while level:
        following = []
        for idnumber, row_depth in level:
            depth = max(depth, row_depth)
            for child in children.get(idnumber, []):
                seen.add(child["idnumber"])
                following.append((child["idnumber"], row_depth + 1))
        level = following
    for row in by_idnumber.values():
        if row["idnumber"] not in seen and row["parent"] in by_idnumber:
            problems.append(
                _(
                    "%(where)s: »%(name)s« ligger (via »Parent ID number«) under sig selv og "
                    "kan ikke placeres i rammen."
                )
                % {"where": _at(row), "name": row["shortname"]}
            )
    return children, depth


def _path_name(names: list[str]) -> str:
    name = PATH_SEPARATOR.join(names)
    return name if len(name) <= 200 else f"{name[:199]}…"


def _example_path(by_idnumber: dict[str, tabular.Row], children) -> str:
    """The names down to the first leaf of the deepest branch, as a flattened group's
    name: what HR sees before saying yes."""
    best: list[str] = []

    def walk(idnumber: str, names: list[str]) -> None:
        nonlocal best
        kids = children.get(idnumber, [])
        if not kids and len(names) > len(best) + 1:
            best = names[:-1]
        for kid in kids:
            walk(kid["idnumber"], [*names, kid["shortname"]])

    walk("", [])
    return _path_name(best)


def _flattened_groups(
    by_idnumber: dict[str, tabular.Row], children, framework_name: str, problems: list[str]
) -> list[GroupData]:
    """A tree deeper than two levels as groups and competences: every leaf (a
    competency without children) is a competence, in a group for its parent named by
    the path from the top ("Kommunikation › Skriftlig › Breve") that keeps the parent's
    ID number and description. Inner competencies are not rated; they live on only in
    the group names. A leaf at the top has no path: it goes
    in a group named after the framework."""
    groups: dict[str, GroupData] = {}

    def walk(row: tabular.Row, path: list[str]) -> None:
        kids = children.get(row["idnumber"], [])
        if not kids:
            parent = by_idnumber.get(row["parent"])
            key = parent["idnumber"] if parent is not None else ""
            if key not in groups:
                groups[key] = GroupData(
                    name=_path_name(path) if path else framework_name,
                    key=_uuid_or_none(key) if key else None,
                    idnumber=key,
                    description=_plain(parent) if parent is not None else "",
                )
            groups[key].competences.append(_moodle_competence(row, problems))
        for kid in kids:
            walk(kid, [*path, row["shortname"]])

    for top in children.get("", []):
        walk(top, [])
    return list(groups.values())


def framework_import_moodle_csv(
    *, kommune: Kommune, data: bytes, framework: Framework | None = None, flatten: bool = False
) -> Imported:
    """Imports a file in Moodle's competency framework CSV layout as a new draft (see
    `_create_draft`). A tree deeper than two levels is refused unless `flatten` (see
    `_flattened_groups`)."""
    _check_size(data)
    parsed = _parse_moodle(_moodle_rows(data), flatten=flatten)
    return _create_draft(kommune=kommune, data=parsed, framework=framework)


# --- Either format, for real or as a dry run -----------------------------------------


def framework_import(
    *,
    kommune: Kommune,
    data: bytes,
    format: str,
    framework: Framework | None = None,
    flatten: bool = False,
) -> Imported:
    """Imports `data` in `format` ("json" or "moodle") as a new draft."""
    if format == "moodle":
        return framework_import_moodle_csv(
            kommune=kommune, data=data, framework=framework, flatten=flatten
        )
    return framework_import_json(kommune=kommune, data=data, framework=framework)


@dataclass(frozen=True)
class ImportCheck:
    """What importing a file would make, for HR to read before importing it."""

    imported: Imported
    framework_name: str
    new_framework: bool
    group_count: int
    competence_count: int
    groups: list[str]  # the first few group names
    default_label: str
    proficient_label: str


CHECK_GROUP_NAMES = 5


def framework_import_check(
    *,
    kommune: Kommune,
    data: bytes,
    format: str,
    framework: Framework | None = None,
    flatten: bool = False,
) -> ImportCheck:
    """The dry run: imports the file exactly as `framework_import` would, describes the
    result, and rolls it all back. Refuses what the import would refuse."""
    with transaction.atomic():
        imported = framework_import(
            kommune=kommune, data=data, format=format, framework=framework, flatten=flatten
        )
        version = imported.version
        structure = selectors.version_structure(version)
        check = ImportCheck(
            imported=imported,
            framework_name=version.framework.name,
            new_framework=version.number == 1,
            group_count=len(structure.groups),
            competence_count=len(structure.competences),
            groups=[entry.group.name for entry in structure.groups[:CHECK_GROUP_NAMES]],
            default_label=_level_text(structure, version.default_level),
            proficient_label=_level_text(structure, version.proficient_from),
        )
        transaction.set_rollback(True)
    return check


def _level_text(structure: selectors.VersionStructure, value: int | None) -> str:
    if value is None:
        return ""
    return f"{value} ({structure.level_label(value)})"


# --- Writing the draft ----------------------------------------------------------------


def _free_name(names, name: str, max_length: int = 200) -> str:
    """`name`, or "name (importeret)", "name (importeret 2)", … if it is taken."""
    taken = {n.lower() for n in names}
    candidate, number = name, 1
    while candidate.lower() in taken:
        suffix = _("(importeret)") if number == 1 else _("(importeret %(n)s)") % {"n": number}
        candidate = f"{name[: max_length - len(suffix) - 1]} {suffix}"
        number += 1
    return candidate


def _signature(levels, labels_only: bool) -> list[tuple]:
    rows = []
    for level in levels:
        na = level.is_not_applicable if isinstance(level, ScaleLevel) else level.not_applicable
        row: tuple = (level.value, level.label_da, na)
        if not labels_only:
            row += (level.label_en, level.description_da, level.description_en)
        rows.append(row)
    return sorted(rows)


def _scale_for(kommune: Kommune, data: ScaleData) -> RatingScale:
    """The kommune's scale with exactly these levels, else a new one."""
    wanted = _signature(data.levels, data.labels_only)
    scales = list(RatingScale.objects.filter(kommune=kommune).prefetch_related("levels"))
    for scale in sorted(scales, key=lambda s: s.pk):
        if _signature(scale.levels.all(), data.labels_only) == wanted:
            return scale
    scale = RatingScale.objects.create(
        kommune=kommune, name=_free_name((s.name for s in scales), data.name)
    )
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            kommune=kommune,
            scale=scale,
            value=level.value,
            label_da=level.label_da,
            label_en=level.label_en or level.label_da,
            description_da=level.description_da,
            description_en=level.description_en,
            is_not_applicable=level.not_applicable,
        )
        for level in data.levels
    )
    return scale


def _new_version_of(
    framework: Framework, data: FrameworkData, *, matched: bool = False
) -> FrameworkVersion:
    framework = Framework.objects.select_for_update().select_related("scale").get(pk=framework.pk)
    draft = framework.versions.filter(status=FrameworkVersion.Status.DRAFT).first()
    # A draft is never overwritten by a file: HR may have edited it since.
    if draft is not None and matched:
        raise _refuse(
            [
                _(
                    "Filen har samme ID-nummer som rammen »%(name)s«, så den skal være "
                    "rammens næste version, men rammen har allerede en kladde (version "
                    "%(number)s). Gør kladden færdig og offentliggør den, før du importerer "
                    "filen igen."
                )
                % {"name": framework.name, "number": draft.number}
            ]
        )
    if draft is not None:
        raise _refuse(
            [
                _(
                    "Rammen »%(name)s« har allerede en kladde (version %(number)s). Gør den "
                    "færdig og offentliggør den først, eller importér filen som en ny ramme."
                )
                % {"name": framework.name, "number": draft.number}
            ]
        )
    levels = {level.value: level for level in framework.scale.levels.all()}
    values = ", ".join(str(value) for value in sorted(levels))
    problems = [
        _(
            "%(where)s: niveauet %(value)s (»%(label)s«) findes ikke på rammens skala "
            "»%(scale)s«, som har niveauerne %(values)s."
        )
        % {
            "where": level.where,
            "value": level.value,
            "label": level.label_da,
            "scale": framework.scale.name,
            "values": values,
        }
        for level in data.scale.levels
        if level.value not in levels
    ]
    if problems:
        raise _refuse(problems)
    number = (framework.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    return FrameworkVersion.objects.create(
        kommune_id=framework.kommune_id, framework=framework, number=number
    )


def _framework_by_idnumber(kommune: Kommune, idnumber: str) -> Framework | None:
    """The kommune's framework with this ID number: the one it was imported with, else
    the one our exports write for it (`framework_idnumber`)."""
    if not idnumber:
        return None
    found = Framework.objects.filter(kommune=kommune, idnumber=idnumber).first()
    if found is None and (match := GENERATED_IDNUMBER.match(idnumber)):
        found = Framework.objects.filter(kommune=kommune, idnumber="", pk=int(match[1])).first()
    return found


def _keys_by_idnumber(framework: Framework) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    """ID number → key of the groups and of the competences of the framework's newest
    version, so a file from Moodle keeps each competence's identity (its key) from
    one version to the next, as "new version from this" does."""
    latest = framework.versions.order_by("-number").first()
    if latest is None:
        return {}, {}
    groups = dict(latest.groups.exclude(idnumber="").values_list("idnumber", "key"))
    competences = dict(latest.competences.exclude(idnumber="").values_list("idnumber", "key"))
    return groups, competences


@transaction.atomic
def _create_draft(
    *, kommune: Kommune, data: FrameworkData, framework: Framework | None
) -> Imported:
    """Writes `data` as a new draft: of a new framework (version 1, on the kommune's
    scale with the same levels, or a new scale), or with `framework` (or the kommune's
    framework with the file's framework ID number), as that framework's next version,
    which must then have no draft yet and a scale with every level the file uses.
    Groups and competences whose ID numbers the framework's newest version has keep
    their keys. Nothing else is changed."""
    renamed_from = ""
    matched = False
    if framework is None:
        framework = _framework_by_idnumber(kommune, data.idnumber)
        matched = framework is not None
    group_keys: dict[str, uuid.UUID] = {}
    competence_keys: dict[str, uuid.UUID] = {}
    if framework is None:
        name = _free_name(
            Framework.objects.filter(kommune=kommune).values_list("name", flat=True), data.name
        )
        renamed_from = data.name if name != data.name else ""
        version = services.framework_create(
            kommune=kommune,
            name=name,
            description=data.description,
            scale=_scale_for(kommune, data.scale),
        )
        if data.idnumber:
            Framework.objects.filter(pk=version.framework_id).update(idnumber=data.idnumber)
    elif framework.kommune_id != kommune.pk:
        raise _refuse([_("Rammen hører til en anden kommune.")])
    else:
        group_keys, competence_keys = _keys_by_idnumber(framework)
        version = _new_version_of(framework, data, matched=matched)
        taken = Framework.objects.filter(kommune=kommune, idnumber=data.idnumber).exists()
        if data.idnumber and not framework.idnumber and not taken:
            # HR chose the framework the file belongs to: remember the file's ID
            # number, so the next import of it finds the framework by itself.
            Framework.objects.filter(pk=framework.pk).update(idnumber=data.idnumber)
    if data.default_level is not None or data.proficient_from is not None:
        version.default_level, version.proficient_from = data.default_level, data.proficient_from
        version.save(update_fields=["default_level", "proficient_from"])

    groups = [
        CompetenceGroup(
            kommune=kommune,
            version=version,
            key=group.key or group_keys.get(group.idnumber) or uuid.uuid4(),
            idnumber=group.idnumber,
            name=group.name,
            description=group.description,
            order=order,
        )
        for order, group in enumerate(data.groups, start=1)
    ]
    CompetenceGroup.objects.bulk_create(groups)
    used_keys: set[uuid.UUID] = set()
    competences = []
    for group, group_data in zip(groups, data.groups, strict=True):
        for order, item in enumerate(group_data.competences, start=1):
            key = item.key or competence_keys.get(item.idnumber)
            # Keys are unique per version; a key seen twice gets a fresh one.
            key = key if key and key not in used_keys else uuid.uuid4()
            used_keys.add(key)
            competences.append(
                Competence(
                    kommune=kommune,
                    version=version,
                    group=group,
                    key=key,
                    idnumber=item.idnumber,
                    name=item.name,
                    short_description=item.short_description,
                    what=item.what,
                    why=item.why,
                    how=item.how,
                    kind=item.kind,
                    roles=item.roles,
                    order=order,
                )
            )
    Competence.objects.bulk_create(competences)
    return Imported(
        version=version,
        renamed_from=renamed_from,
        matched=matched,
        depth=data.depth,
        flattened=data.flattened,
    )
