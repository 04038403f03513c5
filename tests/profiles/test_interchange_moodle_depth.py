"""Moodle frameworks deeper than our two levels, tested on Moodle's own example
(tests/profiles/fixtures/moodle/example.csv, four levels, 64 competencies): refused with
one message unless HR says flatten, flattened with the path as the group's name; Moodle's
ID numbers kept, so a framework imported again becomes its next version; the scale's
default and proficient levels kept, shown and exported."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles import interchange, services
from profiles.models import Competence, CompetenceGroup, Framework, FrameworkVersion
from tests.conftest import client_for
from tests.profiles.test_interchange import _counts, _moodle_csv

pytestmark = pytest.mark.django_db

EXAMPLE = (Path(__file__).parent / "fixtures" / "moodle" / "example.csv").read_bytes()
ROWS = list(csv.DictReader(io.StringIO(EXAMPLE.decode("utf-8"))))
FRAMEWORK_ROW = next(row for row in ROWS if row["Is framework"] == "1")
COMPETENCY_ROWS = [row for row in ROWS if row["Is framework"] != "1"]
PARENTS = {row["Parent id number"] for row in COMPETENCY_ROWS}
LEAVES = [row["Id number"] for row in COMPETENCY_ROWS if row["Id number"] not in PARENTS]
DEPTH_MESSAGE = (
    "Rammen har 4 niveauer, men Kompetence har kun to: grupper og kompetencer. Sæt flueben "
    "ved »Flad rammen ud« for at importere den alligevel: hver kompetence nederst i træet "
    "kommer i en gruppe, der hedder som vejen ned til den (fx »Competencies › "
    "Delivery-related › Analytical Thinking«)."
)


def _import(org, data: bytes = EXAMPLE, **kwargs) -> interchange.Imported:
    with org.scope():
        return interchange.framework_import_moodle_csv(kommune=org.kommune, data=data, **kwargs)


def _upload(client, data: bytes = EXAMPLE, **extra):
    payload = {"file": SimpleUploadedFile("example.csv", data), "format": "moodle", **extra}
    return client.post(reverse("framework_import"), payload)


def _tree(org, version) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(group ID number, group name, [(competence ID number, name)]) in order."""
    with org.scope():
        return [
            (
                group.idnumber,
                group.name,
                [(c.idnumber, c.name) for c in group.competences.order_by("order")],
            )
            for group in CompetenceGroup.objects.filter(version=version).order_by("order")
        ]


def _keys(org, version) -> dict[str, object]:
    with org.scope():
        return dict(Competence.objects.filter(version=version).values_list("idnumber", "key"))


def test_the_fixture_is_moodles_four_level_example():
    # As Moodle's own test counts it (admin/tool/lpimportcsv/tests/import_test.php).
    assert len(COMPETENCY_ROWS) == 64
    assert FRAMEWORK_ROW["Id number"] == "OECD-CORE"
    assert len(LEAVES) == 44


def test_without_flattening_the_example_is_refused_with_one_message(org_a):
    counts = _counts(org_a)
    with pytest.raises(interchange.ImportRefused) as refused:
        _import(org_a)
    assert refused.value.messages == [DEPTH_MESSAGE]
    assert _counts(org_a) == counts

    response = _upload(client_for(org_a.hr))
    text = html.unescape(response.text)
    assert response.status_code == 200
    assert "Filen er ikke importeret, og intet er gemt." in text
    assert DEPTH_MESSAGE in text
    assert text.count("<li>Rammen har 4 niveauer") == 1
    assert _counts(org_a) == counts


def test_flattened_every_leaf_is_a_competence_under_its_path(org_a):
    imported = _import(org_a, flatten=True)
    version = imported.version
    assert (imported.depth, imported.flattened, imported.matched) == (4, True, False)
    tree = _tree(org_a, version)
    assert len(tree) == 16
    assert sum(len(competences) for *_, competences in tree) == 44
    assert tree[0] == (
        "levels",
        "Levels",
        [(f"level-{n}", f"Level {n}") for n in range(1, 6)],
    )
    assert tree[1] == (
        "analytical-thinking",
        "Competencies › Delivery-related › Analytical Thinking",
        [
            ("DR-AT1", "Distinguishes between critical and irrelevant pieces of information"),
            ("DR-AT-2", "Gathers information from a variety of sources to reach a conclusion."),
        ],
    )
    assert tree[-1][:2] == ("strategic-thinking", "Competencies › Strategic › Strategic Thinking")
    # Every leaf, by its Moodle ID number; the inner competencies are not rated.
    assert sorted(idnumber for *_, cs in tree for idnumber, _name in cs) == sorted(LEAVES)
    with org_a.scope():
        framework = Framework.objects.get(pk=version.framework_id)
        group = CompetenceGroup.objects.get(version=version, idnumber="analytical-thinking")
        levels = list(framework.scale.levels.values_list("value", "label_da"))
    assert (framework.name, framework.idnumber) == ("OECD", "OECD-CORE")
    assert group.description.startswith("Analytical Thinking is the ability to identify patterns")
    # [{"scaleid":"2"},{"id":2,"scaledefault":1,"proficient":1}]
    assert levels == [(1, "Not yet competent"), (2, "Competent")]
    assert (version.default_level, version.proficient_from) == (2, 2)


def test_hr_checks_the_file_then_imports_it_flattened(org_a):
    client = client_for(org_a.hr)
    counts = _counts(org_a)
    response = _upload(client, flatten="on", kontroller="ja")
    text = html.unescape(response.text)
    assert response.status_code == 200
    assert "Filen kan importeres" in text
    assert "Den bliver en ny ramme, »OECD«, med version 1 som kladde." in text
    assert "16 grupper, 44 kompetencer." in text
    assert "Rammen har 4 niveauer og bliver fladet ud" in text
    assert "Kompetent fra niveau 2 (Competent)." in text
    assert "<li>Competencies › Delivery-related › Analytical Thinking</li>" in text
    assert _counts(org_a) == counts  # the dry run stored nothing

    response = _upload(client, flatten="on")
    with org_a.scope():
        version = FrameworkVersion.objects.get(framework__idnumber="OECD-CORE")
    assert response.status_code == 302
    assert response.url == reverse("framework_version", args=[version.pk])
    page = html.unescape(client.get(response.url).text)
    assert "Rammen havde 4 niveauer og er fladet ud" in page
    assert "niveau 2 (Competent)" in page  # Kompetent fra, and Standardniveau
    assert "<code>OECD-CORE</code>" in page
    preview = html.unescape(client.get(reverse("framework_preview", args=[version.pk])).text)
    assert "Kompetent fra" in preview


def test_importing_the_same_framework_again_makes_its_next_version(org_a):
    first = _import(org_a, flatten=True).version
    with org_a.scope():
        services.version_publish(version=first, by=org_a.hr)
    # In Moodle meanwhile: a competence renamed, one added.
    changed = EXAMPLE.replace(
        b'"Proposes ways to do things differently."', b'"Proposes new ways of working."'
    ).rstrip(b"\n") + (
        b'\nflexible-thinking,DR-FT-4,"Tries things out.","<p>Tries.</p>",1,,,,0,null,,65,,\n'
    )
    counts = _counts(org_a)
    imported = _import(org_a, data=changed, flatten=True)
    second = imported.version
    assert imported.matched
    assert (second.framework_id, second.number, second.status) == (first.framework_id, 2, "draft")
    assert _counts(org_a)["Framework"] == counts["Framework"]
    before, after = _keys(org_a, first), _keys(org_a, second)
    assert set(after) == set(before) | {"DR-FT-4"}
    # Matched by ID number, each competence keeps its identity (its key).
    assert all(after[idnumber] == key for idnumber, key in before.items())
    with org_a.scope():
        renamed = Competence.objects.get(version=second, idnumber="DR-FT-1")
        group = CompetenceGroup.objects.get(version=second, idnumber="flexible-thinking")
        old_group = CompetenceGroup.objects.get(version=first, idnumber="flexible-thinking")
    assert renamed.name == "Proposes new ways of working."
    assert group.key == old_group.key

    # While the new version is a draft, importing once more is refused, not duplicated.
    with pytest.raises(interchange.ImportRefused) as refused:
        _import(org_a, flatten=True)
    assert refused.value.messages == [
        "Filen har samme ID-nummer som rammen »OECD«, så den skal være rammens næste "
        "version, men rammen har allerede en kladde (version 2). Gør kladden færdig og "
        "offentliggør den, før du importerer filen igen."
    ]


def test_export_then_import_round_trips_id_numbers_and_scale_configuration(org_a):
    version = _import(org_a, flatten=True).version
    with org_a.scope():
        services.version_publish(version=version, by=org_a.hr)
    exported = _moodle_csv(org_a, version)
    _header, framework_row, *rows = list(csv.reader(io.StringIO(exported.decode("utf-8"))))
    assert framework_row[1] == "OECD-CORE"
    assert json.loads(framework_row[6])[1:] == [
        {
            "id": 1,
            "scaledefault": 0,
            "proficient": 0,
            "kompetence_value": 1,
            "kompetence_not_applicable": 0,
        },
        {
            "id": 2,
            "scaledefault": 1,
            "proficient": 1,
            "kompetence_value": 2,
            "kompetence_not_applicable": 0,
        },
    ]
    assert rows[6][:2] == ["", "analytical-thinking"]
    assert rows[7][:2] == ["analytical-thinking", "DR-AT1"]
    assert {row[1] for row in rows if row[0]} == set(LEAVES)

    imported = _import(org_a, data=exported)
    again = imported.version
    # Two levels now, the same framework, groups and ID numbers: no duplicates.
    assert (imported.matched, imported.flattened) == (True, False)
    assert (again.framework_id, again.number) == (version.framework_id, 2)
    assert _tree(org_a, again) == _tree(org_a, version)
    assert _keys(org_a, again) == _keys(org_a, version)
    assert (again.default_level, again.proficient_from) == (2, 2)
    # "New version from this" carries them on too.
    with org_a.scope():
        services.version_publish(version=again, by=org_a.hr)
        third = services.version_new_draft(version=again)
    assert (third.default_level, third.proficient_from) == (2, 2)
    assert _tree(org_a, third) == _tree(org_a, version)


def test_a_framework_made_here_exports_stable_id_numbers(org_a):
    version = _import(org_a, data=_two_levels()).version
    with org_a.scope():
        Framework.objects.filter(pk=version.framework_id).update(idnumber="")
        Competence.objects.filter(version=version).update(idnumber="")
        CompetenceGroup.objects.filter(version=version).update(idnumber="")
        services.version_publish(version=version, by=org_a.hr)
        draft = services.version_new_draft(version=version)
    first, second = _moodle_csv(org_a, version), _moodle_csv(org_a, draft)
    rows = list(csv.reader(io.StringIO(first.decode("utf-8"))))
    assert rows[1][1] == f"kompetence-ramme-{version.framework_id}"
    with org_a.scope():
        key = Competence.objects.get(version=version).key
    assert rows[3][1] == str(key)
    # Every version of the framework exports the same ID numbers.
    assert [r[:2] for r in rows] == [r[:2] for r in csv.reader(io.StringIO(second.decode("utf-8")))]


def _two_levels(*lines: str) -> bytes:
    header = FRAMEWORK_ROW.keys()
    text = ",".join(f'"{h}"' for h in header) + "\n"
    text += ',fw,Ramme,,1,"Lidt,Meget",,,,,,,1,\n'
    text += ",g,Gruppe,,1,,,,,,,,,\n"
    text += "g,k,Kompetence,,1,,,,,,,,,\n"
    return (text + "".join(f"{line}\n" for line in lines)).encode()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["a,b,Bi,,1,,,,,,,,,", "b,a,A,,1,,,,,,,,,"],
            "Linje 6: »Bi« ligger (via »Parent ID number«) under sig selv og kan ikke "
            "placeres i rammen.",
        ),
        (["k,x,,,1,,,,,,,,,"], "Linje 6: kolonnen »Short name« er tom."),
        (["k,k,Igen,,1,,,,,,,,,"], "Linje 6: »ID number« »k« står også i linje 4."),
        (["nej,y,Y,,1,,,,,,,,,"], "Linje 6: »Parent ID number« »nej« findes ikke i filen."),
    ],
)
def test_bad_lines_of_a_deep_file_are_named_in_danish(org_a, lines, message):
    # "k,z" makes the file three levels deep; flattening does not hide bad lines.
    data = _two_levels("k,z,Under,,1,,,,,,,,,", *lines)
    counts = _counts(org_a)
    with pytest.raises(interchange.ImportRefused) as refused:
        _import(org_a, data=data, flatten=True)
    assert message in refused.value.messages
    assert _counts(org_a) == counts


def test_hr_of_another_kommune_gets_404_on_the_import_and_its_dry_run(org_a, org_b):
    on_our_host = client_for(org_b.hr, org_a.kommune)
    counts = _counts(org_a)
    assert on_our_host.get(reverse("framework_import")).status_code == 404
    assert _upload(on_our_host, flatten="on", kontroller="ja").status_code == 404
    assert _upload(on_our_host, flatten="on").status_code == 404
    assert _counts(org_a) == counts
    # Their own import of the same file does not find our framework by its ID number.
    ours = _import(org_a, flatten=True).version
    theirs = _import(org_b, flatten=True)
    assert not theirs.matched
    assert theirs.version.framework_id != ours.framework_id


def test_json_export_keeps_id_numbers_and_scale_use(org_a):
    version = _import(org_a, flatten=True).version
    with org_a.scope():
        services.version_publish(version=version, by=org_a.hr)
        version = FrameworkVersion.objects.select_related("framework__scale").get(pk=version.pk)
        document = json.loads(interchange.framework_export_json(version=version))
    schema = json.loads(interchange.SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["idnumber"] == "OECD-CORE"
    assert document["groups"][1]["idnumber"] == "analytical-thinking"
    assert document["groups"][1]["competences"][0]["idnumber"] == "DR-AT1"
    levels = [(lv["value"], lv["default"], lv["proficient"]) for lv in document["scale"]["levels"]]
    assert levels == [(1, False, False), (2, True, True)]
    # Imported again, it is the framework's next version, with the same ID numbers.
    with org_a.scope():
        imported = interchange.framework_import_json(
            kommune=org_a.kommune, data=json.dumps(document).encode()
        )
    assert imported.matched
    assert imported.version.framework_id == version.framework_id
    assert _tree(org_a, imported.version) == _tree(org_a, version)
    assert (imported.version.default_level, imported.version.proficient_from) == (2, 2)
