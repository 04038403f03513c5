"""The job profile column of the organisation import (kompetence.org_import): the
organisation core reads the file, this module knows what a job profile is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kompetence.infra.extensions import PositionAttribute
from kompetence.infra.tabular import Column
from kompetence.models import Kommune
from profiles.models import JobProfile, JobProfileAssignment


def _choices(kommune: Kommune) -> dict[str, str]:
    names = JobProfile.objects.filter(kommune=kommune).values_list("name", flat=True)
    return {name.lower(): name for name in names}


def _current(position_ids: list[int]) -> dict[int, str]:
    return dict(
        JobProfileAssignment.objects.filter(position_id__in=position_ids).values_list(
            "position_id", "job_profile__name"
        )
    )


def _apply(kommune: Kommune, wanted: dict[int, str | None]) -> None:
    ids = dict(JobProfile.objects.filter(kommune=kommune).values_list("name", "pk"))
    JobProfileAssignment.objects.filter(
        kommune=kommune, position_id__in=[pk for pk, name in wanted.items() if name is None]
    ).delete()
    keep = {pk: ids[name] for pk, name in wanted.items() if name is not None}
    existing = {
        a.position_id: a
        for a in JobProfileAssignment.objects.filter(kommune=kommune, position_id__in=list(keep))
    }
    changed = []
    for position_id, profile_id in keep.items():
        if position_id in existing:
            existing[position_id].job_profile_id = profile_id
            changed.append(existing[position_id])
    JobProfileAssignment.objects.bulk_update(changed, ["job_profile"], batch_size=2000)
    JobProfileAssignment.objects.bulk_create(
        [
            JobProfileAssignment(kommune=kommune, position_id=pk, job_profile_id=profile_id)
            for pk, profile_id in keep.items()
            if pk not in existing
        ],
        batch_size=2000,
    )


JOB_PROFILE_COLUMN = PositionAttribute(
    column=Column(
        "job_profile",
        "jobprofil",
        ("job_profile", "kompetenceprofil"),
        required=False,
        help=_("Navnet på en af kommunens jobprofiler. Tom: ingen jobprofil."),
    ),
    choices=_choices,
    current=_current,
    apply=_apply,
)
