"""On PostgreSQL, an employee signing at the very moment the leader adds a goal: the
signature is either on exactly the content the employee read (and the goal goes into
a new version) or refused (and the goal is in the version). Never a signature on
content the signer did not see."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kompetence.infra.tenancy import kommune_scope
from mus import content, services, signing
from mus.models import Conversation, PlanVersion, Signature
from tests.mus.factories import build_plan, version_of
from tests.mus.test_mus import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12


def _race(*works) -> list[BaseException]:
    """Runs every work at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(works))
    errors: list[BaseException] = []

    def run(work) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_signing_while_the_leader_adds_a_goal_never_signs_unseen_content(org_a):
    outcomes = []
    for round_number in range(ROUNDS):
        with kommune_scope(org_a.kommune):
            # One planned MUS per employee at a time: each round's conversation was held.
            Conversation.objects.filter(employee=org_a.employee).update(
                status=Conversation.Status.HELD
            )
        plan = build_plan(org_a, activities=1)
        version = version_of(plan)
        with kommune_scope(org_a.kommune):
            seen_revision, seen_hash = version.revision, content.content_hash(version)
        refused: list[ValidationError] = []

        def employee_signs(
            version=version,
            seen_revision=seen_revision,
            seen_hash=seen_hash,
            refused=refused,
            round_number=round_number,
        ):
            # Staggered starts, so both orders (and the overlaps between) occur.
            time.sleep((round_number % 4) * 0.015)
            with kommune_scope(org_a.kommune):
                try:
                    signing.plan_sign(
                        version=version,
                        signer=org_a.employee,
                        password=PASSWORD,
                        seen_revision=seen_revision,
                        seen_hash=seen_hash,
                    )
                except signing.PlanChangedSinceRead as error:
                    refused.append(error)

        def leader_adds_a_goal(
            version=version, seen_revision=seen_revision, text=f"Nyt mål {round_number}"
        ):
            with kommune_scope(org_a.kommune):
                services.goal_add(
                    version=PlanVersion.objects.get(pk=version.pk),
                    revision=seen_revision,
                    text=text,
                )

        assert _race(employee_signs, leader_adds_a_goal) == []

        with kommune_scope(org_a.kommune):
            signatures = list(Signature.objects.filter(version__plan=plan))
            versions = list(plan.versions.order_by("number"))
            new_goal_in_v1 = versions[0].goals.filter(text=f"Nyt mål {round_number}").exists()
            for signature in signatures:
                assert signature.content_hash == seen_hash
                assert signing.signature_is_valid(signature)
                assert signature.version_id == versions[0].pk
            if signatures:
                # Signed first: the goal went into a new version, v1 is what was read.
                assert not refused and not new_goal_in_v1
                assert len(versions) == 2
                assert versions[1].goals.filter(text=f"Nyt mål {round_number}").exists()
                outcomes.append("signed, goal in v2")
            else:
                # The goal came first: the signature was refused.
                assert refused and new_goal_in_v1 and len(versions) == 1
                outcomes.append("refused")
    assert len(outcomes) == ROUNDS
    print("refused:", outcomes.count("refused"), "of", ROUNDS)  # shown with -s
