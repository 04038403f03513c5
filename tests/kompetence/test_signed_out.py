"""An autosave from someone whose session has ended gets 401 (the page then asks them
to sign in again), never the login page swapped into the row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from profiles.models import Competence, Evaluation
from tests.conftest import client_for
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db


def test_an_autosave_without_a_session_gets_401_not_the_login_page(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    round_ = open_round(version, org_a.root, by=org_a.hr)
    with org_a.scope():
        evaluation = Evaluation.objects.get(round=round_, subject=org_a.employee, kind="self")
        competence = Competence.objects.filter(version=version).first()
    url = reverse("evaluation_answer", args=[evaluation.pk, competence.pk])
    signed_out = client_for(None, org_a.kommune)

    response = signed_out.post(url, {f"level-{competence.pk}": 3}, HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    assert b"Brugernavn" not in response.content

    # An ordinary request still goes to the login page.
    response = signed_out.post(url, {f"level-{competence.pk}": 3})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_signed_in_again_page(org_a, org_b):
    response = client_for(org_a.employee).get(reverse("signed_in_again"))
    assert response.status_code == 200
    assert "Du er logget ind igen" in response.text
    # A user of another kommune gets 404 on this kommune's host.
    outsider = client_for(org_b.employee, org_a.kommune)
    assert outsider.get(reverse("signed_in_again")).status_code == 404
