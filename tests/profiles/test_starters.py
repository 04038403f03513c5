"""Starter frameworks: the files HR can begin from, each one click from a draft."""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.urls import reverse

from profiles import interchange
from profiles.models import Competence, Framework, FrameworkVersion
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FREDERICIA = "fredericia-kompetencehjulet"


def test_every_starter_file_validates_against_the_schema():
    schema = json.loads(interchange.SCHEMA_PATH.read_text(encoding="utf-8"))
    starters = interchange.starter_frameworks()
    assert {s.slug for s in starters} == {
        path.stem for path in interchange.STARTER_FRAMEWORKS_DIR.glob("*.json")
    }
    for starter in starters:
        path = interchange.STARTER_FRAMEWORKS_DIR / f"{starter.slug}.json"
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)
        assert starter.description and starter.competence_count > 0


def test_each_starter_imports_as_a_draft(org_a):
    with org_a.scope():
        for starter in interchange.starter_frameworks():
            version = interchange.starter_framework_import(
                kommune=org_a.kommune, slug=starter.slug
            ).version
            assert version.status == FrameworkVersion.Status.DRAFT
            assert version.framework.name == starter.name
            assert Competence.objects.filter(version=version).count() == starter.competence_count


def test_unknown_starter_is_refused(org_a):
    with org_a.scope(), pytest.raises(LookupError):
        interchange.starter_framework_import(kommune=org_a.kommune, slug="../schemas/x")


def test_hr_sees_the_starters(org_a):
    response = client_for(org_a.hr).get(reverse("framework_starters"))
    assert response.status_code == 200
    for starter in interchange.starter_frameworks():
        assert starter.name in response.text
        assert reverse("framework_starter_use", args=[starter.slug]) in response.text


def test_one_click_makes_a_draft_and_opens_the_editor(org_a):
    client = client_for(org_a.hr)
    response = client.post(reverse("framework_starter_use", args=[FREDERICIA]))
    with org_a.scope():
        version = FrameworkVersion.objects.get(framework__name="Kompetencehjulet")
    assert version.status == FrameworkVersion.Status.DRAFT
    assert response.status_code == 302
    assert response["Location"] == reverse("framework_version", args=[version.pk])

    # A second click makes a second draft under a free name, and says so.
    response = client.post(reverse("framework_starter_use", args=[FREDERICIA]), follow=True)
    assert "Kompetencehjulet (importeret)" in response.text
    with org_a.scope():
        assert Framework.objects.filter(kommune=org_a.kommune).count() == 2
        assert not FrameworkVersion.objects.exclude(status=FrameworkVersion.Status.DRAFT).exists()


def test_unknown_slug_is_404(org_a):
    response = client_for(org_a.hr).post(reverse("framework_starter_use", args=["findes-ikke"]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["employee", "leader", "director"])
def test_only_kommune_hr_may_use_starters(org_a, who):
    client = client_for(getattr(org_a, who))
    assert client.get(reverse("framework_starters")).status_code == 404
    assert client.post(reverse("framework_starter_use", args=[FREDERICIA])).status_code == 404
    with org_a.scope():
        assert not Framework.objects.exists()


def test_another_kommunes_user_gets_404(org_a, org_b):
    client = client_for(org_b.hr, org_a.kommune)
    assert client.get(reverse("framework_starters")).status_code == 404
    assert client.post(reverse("framework_starter_use", args=[FREDERICIA])).status_code == 404
    with org_a.scope():
        assert not Framework.objects.exists()
