"""The course's fields are listed once (`catalogue.models.COURSE_FIELDS`): the course
form, the services' parameters and the catalogue import follow that list."""

from __future__ import annotations

import inspect

from catalogue import catalogue_import, services
from catalogue.forms.admin import CourseForm
from catalogue.models import COURSE_FIELDS, Course

RELATIONS = {"audience_units", "audience_job_profiles"}


def _parameters(service) -> set[str]:
    return set(inspect.signature(service).parameters)


def test_every_listed_field_is_a_course_field():
    names = {f.name for f in Course._meta.get_fields()}
    assert set(COURSE_FIELDS) <= names


def test_the_services_take_exactly_the_listed_fields():
    assert _parameters(services.course_create) == {
        *COURSE_FIELDS,
        *RELATIONS,
        "kommune",
        "proposed_by",
        "competences",
    }
    assert _parameters(services.course_update) == {
        *COURSE_FIELDS,
        *RELATIONS,
        "course",
        "competences",
    }


def test_the_form_edits_the_listed_fields_title_first():
    assert CourseForm._meta.fields is not None
    assert set(CourseForm._meta.fields) == {*COURSE_FIELDS, *RELATIONS}
    assert CourseForm.field_order == ["title"]


def test_the_import_sets_the_listed_fields_and_the_status():
    # `audience_everyone` follows from the audience columns.
    assert [
        *(f for f in COURSE_FIELDS if f != "audience_everyone"),
        "status",
    ] == catalogue_import.MODEL_FIELDS
    columns = {column.key for column in catalogue_import.COLUMNS}
    assert set(catalogue_import.MODEL_FIELDS) <= columns
