"""On PostgreSQL, leaders approving the same proof at once (two tabs, or the leader and
their chef) make one certificate; every other attempt is told it is already decided."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from catalogue.models import Certificate, Evidence, RequirementAssignment, TrainingRequirement
from catalogue.training import evidence as services
from kompetence.infra.tenancy import kommune_scope

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 8
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_approving_at_once_makes_one_certificate(org_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with kommune_scope(org_a.kommune):
        requirement = TrainingRequirement.objects.create(
            kommune=org_a.kommune, name="Førstehjælp", validity_months=24
        )
        RequirementAssignment.objects.create(
            kommune=org_a.kommune, requirement=requirement, kind="everyone"
        )
        evidence = services.evidence_upload(
            person=org_a.employee,
            title="Førstehjælpsbevis",
            upload=SimpleUploadedFile("bevis.pdf", PDF),
            issued_on=timezone.localdate() - datetime.timedelta(days=10),
            requirement=requirement,
        )
    deciders = [org_a.leader, org_a.chef] * (RACERS // 2)
    barrier = threading.Barrier(RACERS)
    refused: list[str] = []
    errors: list[BaseException] = []

    def approve(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            with kommune_scope(org_a.kommune):
                services.evidence_approve(evidence=evidence, leader=deciders[index])
        except ValidationError as error:
            refused.extend(error.messages)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(refused) == RACERS - 1
    assert all("allerede behandlet" in message for message in refused)
    with kommune_scope(org_a.kommune):
        assert Certificate.objects.filter(evidence=evidence).count() == 1
        assert Evidence.objects.get().status == Evidence.Status.APPROVED
