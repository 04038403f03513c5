"""Frameworks out and in again: our JSON format and Moodle's competency framework CSV,
imports as new drafts only, Danish messages for bad files, and who may do it."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles import interchange, services
from profiles.models import (
    Competence,
    CompetenceGroup,
    Framework,
    FrameworkVersion,
    RatingScale,
    Role,
    ScaleLevel,
)
from tests.conftest import client_for
from tests.profiles.factories import build_framework

pytestmark = pytest.mark.django_db

MOODLE_HEADER = [
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
]


def _rich_framework(org, *, publish: bool = True) -> FrameworkVersion:
    """A framework that uses every field the formats carry."""
    with org.scope():
        scale = services.scale_create_default(kommune=org.kommune)
        version = services.framework_create(
            kommune=org.kommune,
            name="Ledelses- og medarbejdergrundlag",
            description="Hvidovres grundlag.\n\nFire perspektiver.",
            scale=scale,
        )
        people = services.group_create(
            version=version, name="Borgeren i centrum", description="Det første perspektiv."
        )
        services.competence_create(
            group=people,
            name="Helhedssyn",
            short_description="Ser hele borgerens situation.",
            what="At se borgeren som et helt menneske.\nOgså på tværs af forvaltninger.",
            why="Borgeren oplever én kommune.",
            how="Inddrager kolleger fra andre fagområder.\n\nSpørger ind.",
            kind=Competence.Kind.PROFESSIONAL,
            roles=[Role.LEDER_AF_MEDARBEJDERE, Role.MEDARBEJDER],
        )
        services.competence_create(group=people, name="Dialog", short_description="")
        leadership = services.group_create(version=version, name="Ledelse")
        services.competence_create(
            group=leadership,
            name="Strategisk ledelse",
            short_description="Omsætter politik til retning.",
            kind=Competence.Kind.LEADER,
            roles=[Role.DIREKTION, Role.CENTERCHEF],
        )
        services.group_create(version=version, name="Tom gruppe")
        if publish:
            services.version_publish(version=version, by=org.hr)
        return version


def _document(org, version: FrameworkVersion) -> dict:
    with org.scope():
        version = FrameworkVersion.objects.select_related("framework__scale").get(pk=version.pk)
        return json.loads(interchange.framework_export_json(version=version))


def _json_bytes(org, version: FrameworkVersion) -> bytes:
    return json.dumps(_document(org, version)).encode()


def _moodle_csv(org, version: FrameworkVersion) -> bytes:
    with org.scope():
        version = FrameworkVersion.objects.select_related("framework__scale").get(pk=version.pk)
        return interchange.framework_export_moodle_csv(version=version)


def _structure(org, version: FrameworkVersion) -> list:
    """Groups and competences of a version, without ids."""
    with org.scope():
        groups = CompetenceGroup.objects.filter(version=version).order_by("order", "pk")
        return [
            (
                group.name,
                group.description,
                [
                    (c.key, c.name, c.short_description, c.what, c.why, c.how, c.kind, c.roles)
                    for c in group.competences.order_by("order", "pk")
                ],
            )
            for group in groups
        ]


def _counts(org) -> dict:
    models = [Framework, FrameworkVersion, CompetenceGroup, Competence, RatingScale, ScaleLevel]
    with org.scope():
        return {model.__name__: model.objects.count() for model in models}


def _snapshot(org, version: FrameworkVersion) -> list:
    with org.scope():
        version.refresh_from_db()
        framework = Framework.objects.get(pk=version.framework_id)
        return [
            version.status,
            version.number,
            framework.name,
            framework.description,
            framework.scale_id,
            _structure(org, version),
        ]


def _upload(client, data: bytes, fmt: str = "json", framework=None, name="ramme.json"):
    payload = {"file": SimpleUploadedFile(name, data), "format": fmt}
    if framework is not None:
        payload["framework"] = framework.pk
    return client.post(reverse("framework_import"), payload)


# --- Our JSON format -----------------------------------------------------------------


def test_json_export_then_import_gives_an_equal_draft(org_a):
    version = _rich_framework(org_a)
    document = _document(org_a, version)
    with org_a.scope():
        imported = interchange.framework_import_json(
            kommune=org_a.kommune, data=json.dumps(document).encode()
        )
        new = imported.version
    again = _document(org_a, new)

    assert (new.number, new.status) == (1, FrameworkVersion.Status.DRAFT)
    assert new.framework_id != version.framework_id
    assert imported.renamed_from == "Ledelses- og medarbejdergrundlag"
    assert again["name"] == "Ledelses- og medarbejdergrundlag (importeret)"
    assert {**again, "name": document["name"]} == document
    assert _structure(org_a, new) == _structure(org_a, version)
    # The kommune already had a scale with exactly these levels: it is reused.
    assert new.framework.scale_id == version.framework.scale_id


def test_json_document_follows_the_schema_file(org_a):
    document = _document(org_a, _rich_framework(org_a))
    schema = json.loads(interchange.SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format"] == "kompetence-framework"
    assert document["format_version"] == 1
    assert [g["name"] for g in document["groups"]] == [
        "Borgeren i centrum",
        "Ledelse",
        "Tom gruppe",
    ]
    first = document["groups"][0]["competences"][0]
    assert first["roles"] == ["leder_af_medarbejdere", "medarbejder"]
    assert first["kind"] == "professional"
    assert document["scale"]["levels"][0] == {
        "value": 0,
        "label_da": "Ikke relevant for mig",
        "label_en": "Not relevant to me",
        "description_da": "Kompetencen indgår ikke i mit arbejde.",
        "description_en": "The competence is not part of my work.",
        "not_applicable": True,
    }


def test_schema_knows_exactly_the_models_roles_and_kinds():
    schema = json.loads(interchange.SCHEMA_PATH.read_text())
    competence = schema["$defs"]["competence"]["properties"]
    assert competence["roles"]["items"]["enum"] == Role.values
    assert competence["kind"]["enum"] == Competence.Kind.values


def test_json_import_in_another_kommune_brings_its_scale(org_a, org_b):
    document = _document(org_a, _rich_framework(org_a))
    document["scale"]["levels"][5]["label_da"] = "Mester"
    with org_b.scope():
        imported = interchange.framework_import_json(
            kommune=org_b.kommune, data=json.dumps(document).encode()
        )
        scale = imported.version.framework.scale
        labels = list(scale.levels.order_by("value").values_list("label_da", "is_not_applicable"))
    assert imported.renamed_from == ""
    assert imported.version.framework.name == document["name"]
    assert scale.kommune_id == org_b.kommune.pk
    assert labels[0] == ("Ikke relevant for mig", True)
    assert labels[5] == ("Mester", False)


def test_a_hand_written_json_file_needs_only_names_and_levels(org_a):
    document = {
        "format": "kompetence-framework",
        "format_version": 1,
        "name": "Lille ramme",
        "scale": {
            "name": "To trin",
            "levels": [{"value": 1, "label_da": "Lidt"}, {"value": 2, "label_da": "Meget"}],
        },
        "groups": [
            {"name": "B", "order": 2, "competences": [{"name": "B1"}]},
            {
                "name": "A",
                "order": 1,
                "competences": [{"name": "A2", "order": 2}, {"name": "A1", "order": 1}],
            },
        ],
    }
    with org_a.scope():
        version = interchange.framework_import_json(
            kommune=org_a.kommune, data=json.dumps(document).encode()
        ).version
        level = ScaleLevel.objects.get(scale=version.framework.scale, value=2)
    structure = _structure(org_a, version)
    assert [(name, [c[1] for c in competences]) for name, _d, competences in structure] == [
        ("A", ["A1", "A2"]),
        ("B", ["B1"]),
    ]
    assert (level.label_en, level.is_not_applicable) == ("Meget", False)


def test_the_documented_example_imports(org_a):
    docs = (Path(__file__).parents[2] / "docs" / "framework-format.md").read_text()
    example = re.search(r"```json\n(.*?)```", docs, re.DOTALL)[1]
    with org_a.scope():
        version = interchange.framework_import_json(
            kommune=org_a.kommune, data=example.encode()
        ).version
    [(group, _description, competences)] = _structure(org_a, version)
    assert (group, [c[1] for c in competences]) == (
        "Udvikling",
        ["Forandringskompetence", "Strategisk ledelse"],
    )


def test_every_starter_framework_is_a_file_of_our_format_that_imports(org_a):
    """The starter frameworks (the demo kommuner's, later offered to new kommuner) are
    plain files of our JSON format, imported as any file HR brings."""
    files = sorted(interchange.STARTER_FRAMEWORKS_DIR.glob("*.json"))
    assert [path.name for path in files] == [
        "fredericia-kompetencehjulet.json",
        "hvidovre-ledelses-og-medarbejdergrundlag.json",
    ]
    with org_a.scope():
        for path in files:
            document = json.loads(path.read_text(encoding="utf-8"))
            imported = interchange.framework_import_json(
                kommune=org_a.kommune, data=path.read_bytes()
            )
            assert imported.version.framework.name == document["name"]
            assert Competence.objects.filter(version=imported.version).count() == sum(
                len(group["competences"]) for group in document["groups"]
            )
        # Both use the København scale, so the second import reuses the first's.
        assert RatingScale.objects.filter(kommune=org_a.kommune).count() == 1


# --- Moodle CSV ----------------------------------------------------------------------


def test_moodle_csv_has_moodles_columns_and_tree(org_a):
    version = _rich_framework(org_a)
    rows = list(csv.reader(io.StringIO(_moodle_csv(org_a, version).decode("utf-8"))))
    header, framework_row, *competencies = rows
    assert header == MOODLE_HEADER
    assert framework_row[2] == "Ledelses- og medarbejdergrundlag"
    assert framework_row[12] == "1"
    assert framework_row[5] == (
        "Ikke relevant for mig,Nybegynder,Avanceret begynder,Kompetent,Kyndig,Ekspert"
    )
    config = json.loads(framework_row[6])
    assert [item.get("scaledefault") for item in config[1:]] == [0, 1, 0, 0, 0, 0]
    assert [item.get("proficient") for item in config[1:]] == [0, 0, 0, 1, 1, 1]
    groups = {row[1]: row[2] for row in competencies if row[0] == ""}
    assert list(groups.values()) == ["Borgeren i centrum", "Ledelse", "Tom gruppe"]
    children = [(groups[row[0]], row[2]) for row in competencies if row[0]]
    assert children == [
        ("Borgeren i centrum", "Helhedssyn"),
        ("Borgeren i centrum", "Dialog"),
        ("Ledelse", "Strategisk ledelse"),
    ]
    helhedssyn = next(row for row in competencies if row[2] == "Helhedssyn")
    assert helhedssyn[3].startswith("<p>Ser hele borgerens situation.</p><h4>Hvad</h4>")
    assert "<p>Type: Faglig</p><p>Roller: Leder af medarbejdere, Medarbejder</p>" in helhedssyn[3]


def test_moodle_csv_export_then_import_round_trips_the_framework(org_a):
    version = _rich_framework(org_a)
    with org_a.scope():
        imported = interchange.framework_import_moodle_csv(
            kommune=org_a.kommune, data=_moodle_csv(org_a, version)
        )
        new = FrameworkVersion.objects.select_related("framework").get(pk=imported.version.pk)
    # The framework's ID number in the file is ours, so the file is its next version.
    assert imported.matched
    assert (new.framework_id, new.number, new.status) == (version.framework_id, 2, "draft")
    assert new.framework.description == "Hvidovres grundlag.\n\nFire perspektiver."
    assert _structure(org_a, new) == _structure(org_a, version)
    # Values and "not applicable" ride along in the scale configuration, so the
    # kommune's scale with the same Danish labels is found again.
    assert new.framework.scale_id == version.framework.scale_id


def test_a_framework_exported_by_moodle_itself_is_imported(org_a):
    # Older Moodle versions name some columns differently; HTML descriptions as Moodle
    # writes them. (From Moodle's own test fixture for the tool, shortened.)
    data = (
        b'"Parent id number","Id number",Shortname,Description,"Description format",'
        b'"Scale values","Scale configuration","Rule type (optional)","Rule outcome (optional)",'
        b'"Rule config (optional)","Cross referenced competency id numbers",'
        b'"Exported id (optional)","Is framework",Taxonomy\n'
        b',OECD-CORE,OECD,"<p>The Core Competencies.</p>",1,"Not yet competent,Competent",'
        b'"[{""scaleid"":""2""},{""id"":2,""scaledefault"":1,""proficient"":1}]",,,,,,1,'
        b'"competency,competency"\n'
        b',delivery,Delivery-related,"<p>Achieving Results<br></p>",1,,,,0,null,,8,,\n'
        b'delivery,analytical-thinking,"Analytical Thinking","<p>Analytical Thinking is the\n'
        b'ability to identify patterns.<br></p>",1,,,,0,null,,11,,\n'
    )
    with org_a.scope():
        version = interchange.framework_import_moodle_csv(kommune=org_a.kommune, data=data).version
        levels = list(
            version.framework.scale.levels.order_by("value").values_list("value", "label_da")
        )
    assert version.framework.name == "OECD"
    assert version.framework.description == "The Core Competencies."
    assert levels == [(1, "Not yet competent"), (2, "Competent")]
    [(group, description, competences)] = _structure(org_a, version)
    assert (group, description) == ("Delivery-related", "Achieving Results")
    [competence] = competences
    assert competence[1:3] == (
        "Analytical Thinking",
        "Analytical Thinking is the ability to identify patterns.",
    )
    assert competence[6:] == (Competence.Kind.GENERAL, [])


# --- A new version of an existing framework ------------------------------------------


def test_import_as_a_new_version_leaves_the_published_version_alone(org_a):
    version = _rich_framework(org_a)
    document = _document(org_a, version)
    document["groups"][0]["competences"][0]["name"] = "Helhedssyn og sammenhæng"
    before = _snapshot(org_a, version)
    with org_a.scope():
        imported = interchange.framework_import_json(
            kommune=org_a.kommune, data=json.dumps(document).encode(), framework=version.framework
        )
    new = imported.version
    assert (new.framework_id, new.number, new.status) == (version.framework_id, 2, "draft")
    assert _snapshot(org_a, version) == before
    first = _structure(org_a, new)[0][2][0]
    # Same key as in version 1, so job and unit profiles carry over.
    assert first[0] == _structure(org_a, version)[0][2][0][0]
    assert first[1] == "Helhedssyn og sammenhæng"


def test_import_as_a_new_version_is_refused_while_a_draft_exists(org_a):
    version = _rich_framework(org_a)
    with org_a.scope():
        draft = services.version_new_draft(version=version)
    before, draft_before, counts = (
        _snapshot(org_a, version),
        _snapshot(org_a, draft),
        _counts(org_a),
    )
    response = _upload(
        client_for(org_a.hr),
        _json_bytes(org_a, version),
        framework=version.framework,
    )
    assert response.status_code == 200
    assert "har allerede en kladde (version 2)" in html.unescape(response.text)
    assert (_snapshot(org_a, version), _snapshot(org_a, draft)) == (before, draft_before)
    assert _counts(org_a) == counts


# --- The pages -----------------------------------------------------------------------


def test_hr_exports_json_and_moodle_csv_from_the_version_page(org_a):
    version = _rich_framework(org_a)
    client = client_for(org_a.hr)
    page = client.get(reverse("framework_version", args=[version.pk]))
    assert reverse("framework_export_json", args=[version.pk]) in page.text
    assert reverse("framework_export_moodle_csv", args=[version.pk]) in page.text

    response = client.get(reverse("framework_export_json", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == (
        'attachment; filename="ledelses-og-medarbejdergrundlag-v1.json"'
    )
    assert json.loads(response.content)["name"] == "Ledelses- og medarbejdergrundlag"

    response = client.get(reverse("framework_export_moodle_csv", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8").startswith("Parent ID number,ID number,Short name,")


@pytest.mark.parametrize("size", [2, 15])
def test_export_query_count_does_not_grow(org_a, size, django_assert_max_num_queries):
    groups = {f"Gruppe {g}": [f"Kompetence {g}.{c}" for c in range(size)] for g in range(size)}
    version = build_framework(org_a.kommune, groups=groups, by=org_a.hr)
    client = client_for(org_a.hr)
    for name in ("framework_export_json", "framework_export_moodle_csv"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name, args=[version.pk])).status_code == 200


def test_hr_imports_a_file_and_lands_in_the_new_draft(org_a):
    version = _rich_framework(org_a)
    data = _json_bytes(org_a, version)
    client = client_for(org_a.hr)
    assert client.get(reverse("framework_import")).status_code == 200

    response = _upload(client, data)
    with org_a.scope():
        new = FrameworkVersion.objects.exclude(framework_id=version.framework_id).get()
    assert response.status_code == 302
    assert response.url == reverse("framework_version", args=[new.pk])
    page = html.unescape(client.get(response.url).text)
    assert "er importeret som kladde (version 1)" in page
    assert "så den nye hedder »Ledelses- og medarbejdergrundlag (importeret)«" in page


def test_import_page_preselects_the_framework_for_a_new_version(org_a):
    version = _rich_framework(org_a)
    client = client_for(org_a.hr)
    page = client.get(reverse("framework_import") + f"?ramme={version.framework_id}").text
    assert f'<option value="{version.framework_id}" selected>' in page


def test_a_file_that_is_too_large_is_refused_before_it_is_read(org_a):
    counts = _counts(org_a)
    data = b" " * (interchange.MAX_IMPORT_BYTES + 1)
    response = _upload(client_for(org_a.hr), data)
    # filesizeformat keeps number and unit together with a no-break space.
    text = html.unescape(response.text).replace("\xa0", " ")
    assert response.status_code == 200
    assert "Filen er for stor (2,0 MB). En rammefil må højst fylde 2,0 MB." in text
    assert "Filen er ikke importeret, og intet er gemt." in text
    assert _counts(org_a) == counts
    with org_a.scope(), pytest.raises(interchange.ImportRefused) as refused:
        interchange.framework_import_json(kommune=org_a.kommune, data=data)
    assert refused.value.messages == [
        "Filen er for stor (2,0\xa0MB). En rammefil må højst fylde 2,0\xa0MB."
    ]


# --- Bad files -----------------------------------------------------------------------


def _json_with(change) -> bytes:
    document = {
        "format": "kompetence-framework",
        "format_version": 1,
        "name": "Ramme",
        "scale": {
            "name": "Skala",
            "levels": [
                {"value": 0, "label_da": "Ikke relevant", "not_applicable": True},
                {"value": 1, "label_da": "Lidt"},
                {"value": 2, "label_da": "Meget"},
            ],
        },
        "groups": [
            {"name": "Gruppe", "competences": [{"name": "Første"}, {"name": "Anden"}]},
        ],
    }
    change(document)
    return json.dumps(document).encode()


def _csv_with(*rows: list[str], header: list[str] = MOODLE_HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    config = '[{"scaleid":"1"},{"id":1,"scaledefault":1,"proficient":1}]'
    writer.writerow(["", "r", "Ramme", "", "1", "Lidt,Meget", config, *[""] * 5, "1", ""])
    writer.writerow(["", "g", "Gruppe", "", "1"] + [""] * 9)
    for row in rows:
        writer.writerow(row + [""] * (14 - len(row)))
    return out.getvalue().encode()


META = "<h4>Type og roller</h4>"


def _drop(path: str):
    def change(document):
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return change


BAD_FILES = {
    "not json": (b"{ikke json", "json", "Filen er ikke gyldig JSON: fejl i linje 1, tegn 2."),
    "not ours": (
        b'{"format": "noget andet"}',
        "json",
        "Filen er ikke en kompetenceramme i Kompetences format",
    ),
    "newer format": (
        _json_with(lambda d: d.update(format_version=2)),
        "json",
        "format_version: filen har formatversion 2; Kompetence kan læse version 1.",
    ),
    "missing name": (
        _json_with(_drop("groups.0.competences.1.name")),
        "json",
        "groups[0].competences[1].name: feltet mangler.",
    ),
    "wrong type": (
        _json_with(lambda d: d["groups"][0].update(order="først")),
        "json",
        "groups[0].order: skal være et heltal, ikke tekst.",
    ),
    "unknown field": (
        _json_with(lambda d: d["groups"][0].update(colour="rød")),
        "json",
        "groups[0].colour: feltet findes ikke i formatet.",
    ),
    "unknown role": (
        _json_with(lambda d: d["groups"][0]["competences"][0].update(roles=["chef"])),
        "json",
        "groups[0].competences[0].roles[0]: »chef« er ikke tilladt. Brug en af: direktion,",
    ),
    "name too long": (
        _json_with(lambda d: d.update(name="x" * 201)),
        "json",
        "name: er for lang (201 tegn); højst 200 tegn.",
    ),
    "blank name": (
        _json_with(lambda d: d["groups"][0].update(name="   ")),
        "json",
        "groups[0].name: må ikke være tom.",
    ),
    "level twice": (
        _json_with(lambda d: d["scale"]["levels"][2].update(value=1)),
        "json",
        "scale.levels[2].value: værdien 1 står der flere gange på skalaen.",
    ),
    "key twice": (
        _json_with(
            lambda d: [
                c.update(key="0f8fad5b-d9cb-469f-a165-70867728950e")
                for c in d["groups"][0]["competences"]
            ]
        ),
        "json",
        "groups[0].competences[1].key: samme id som groups[0].competences[0]",
    ),
    "idnumber twice": (
        _json_with(
            lambda d: [c.update(idnumber="K-1") for c in d["groups"][0]["competences"]]
        ),
        "json",
        "groups[0].competences[1].idnumber: samme ID-nummer som groups[0].competences[0].",
    ),
    "csv wrong header": (
        _csv_with(header=[h if h != "Short name" else "Navn" for h in MOODLE_HEADER]),
        "moodle",
        "Linje 1, kolonne »Navn«: Ukendt kolonne. Kolonnerne hedder: Parent ID number,",
    ),
    "csv missing column": (
        _csv_with(header=MOODLE_HEADER[:12]),
        "moodle",
        "Linje 1, kolonne »Is framework«: Kolonnen mangler i filens første linje.",
    ),
    "csv level off the scale": (
        _csv_with().replace(b'""id"":1,', b'""id"":7,'),
        "moodle",
        "Linje 2: »Scale configuration« nævner trin 7, men skalaen har 2 trin.",
    ),
    "csv unknown role": (
        _csv_with(["g", "k", "Kompetence", f"<p>Kort.</p>{META}<p>Roller: Chef</p>", "1"]),
        "moodle",
        "Linje 4: rollen »Chef« findes ikke. Kendte roller: Direktion, Centerchef,",
    ),
    "csv unknown parent": (
        _csv_with(["x", "k", "Kompetence"]),
        "moodle",
        "Linje 4: »Parent ID number« »x« findes ikke i filen.",
    ),
    "csv three levels": (
        _csv_with(["g", "k", "Kompetence"], ["k", "i", "Indikator"]),
        "moodle",
        "Rammen har 3 niveauer, men Kompetence har kun to: grupper og kompetencer. Sæt "
        "flueben ved »Flad rammen ud«",
    ),
    "csv no framework row": (
        _csv_with().replace(b",1,\r\n", b",0,\r\n"),
        "moodle",
        "Filen har ingen rammelinje",
    ),
    "csv not text": (b"\x00\x01\x02binary", "moodle", "Filen er ikke en CSV- eller XLSX-fil."),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_gets_a_danish_message_and_saves_nothing(org_a, kind):
    data, fmt, message = BAD_FILES[kind]
    version = _rich_framework(org_a)
    before, counts = _snapshot(org_a, version), _counts(org_a)
    response = _upload(client_for(org_a.hr), data, fmt)
    text = html.unescape(response.text)
    assert response.status_code == 200
    assert "Filen er ikke importeret, og intet er gemt." in text
    assert message in text
    # jsonschema's own English never reaches the page.
    for raw in ("is a required property", "is not of type", "is not one of", "Additional"):
        assert raw not in text
    assert _counts(org_a) == counts
    assert _snapshot(org_a, version) == before


def test_a_level_off_the_frameworks_scale_is_refused_for_a_new_version(org_a):
    version = _rich_framework(org_a)
    document = _document(org_a, version)
    document["scale"]["levels"].append({"value": 6, "label_da": "Mester"})
    counts = _counts(org_a)
    with org_a.scope(), pytest.raises(interchange.ImportRefused) as refused:
        interchange.framework_import_json(
            kommune=org_a.kommune, data=json.dumps(document).encode(), framework=version.framework
        )
    assert refused.value.messages == [
        "scale.levels[6].value: niveauet 6 (»Mester«) findes ikke på rammens skala "
        "»Københavnerskalaen (0–5)«, som har niveauerne 0, 1, 2, 3, 4, 5."
    ]
    assert _counts(org_a) == counts


def test_many_problems_are_summed_up(org_a):
    def many(document):
        document["groups"][0]["competences"] = [{"name": ""} for _ in range(30)]

    with org_a.scope(), pytest.raises(interchange.ImportRefused) as refused:
        interchange.framework_import_json(kommune=org_a.kommune, data=_json_with(many))
    assert len(refused.value.messages) == interchange.MAX_PROBLEMS + 1
    assert refused.value.messages[-1] == "… og 10 fejl mere. Ret de første, og prøv igen."


# --- Who may ----------------------------------------------------------------------


def test_hr_of_another_kommune_gets_404(org_a, org_b):
    version = _rich_framework(org_a)
    exports = [
        reverse(name, args=[version.pk])
        for name in ("framework_export_json", "framework_export_moodle_csv")
    ]
    on_our_host = client_for(org_b.hr, org_a.kommune)
    for url in [*exports, reverse("framework_import")]:
        assert on_our_host.get(url).status_code == 404
    assert _upload(on_our_host, b"{}").status_code == 404
    on_their_host = client_for(org_b.hr)
    for url in exports:
        assert on_their_host.get(url).status_code == 404
    # Our framework is no choice on their import page, and a forged choice saves nothing.
    page = on_their_host.get(reverse("framework_import") + f"?ramme={version.framework_id}")
    assert f'value="{version.framework_id}"' not in page.text
    before, counts = _snapshot(org_a, version), _counts(org_a)
    response = _upload(on_their_host, _json_bytes(org_a, version), framework=version.framework)
    assert response.status_code == 200
    assert (_snapshot(org_a, version), _counts(org_a)) == (before, counts)


@pytest.mark.parametrize("who", ["employee", "leader", "director"])
def test_people_without_the_hr_role_get_404(org_a, who):
    version = _rich_framework(org_a)
    client = client_for(getattr(org_a, who))
    for name in ("framework_export_json", "framework_export_moodle_csv"):
        assert client.get(reverse(name, args=[version.pk])).status_code == 404
    assert client.get(reverse("framework_import")).status_code == 404
    counts = _counts(org_a)
    assert _upload(client, _json_bytes(org_a, version)).status_code == 404
    assert _counts(org_a) == counts
