"""Where apps further along the data flow plug into the organisation core's pages.

The core does not import `profiles`, `mus`, `catalogue` or `annualcycle`; instead
they register here (in their AppConfig.ready) navigation links, panels on a person's
page, panels on the home page, steps of the getting-started checklist, their part of
the personal data export and of the GDPR deletion, as pretix's plugins do through
signals (and its data shredders).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.dispatch import Signal

from kompetence.infra.tabular import Column

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: StrOrPromise  # a lazy translation
    roles: frozenset[str]  # shown to people with any of these roles: employee, leader, hr, med
    order: int = 100
    group: str = ""  # the key of a NavGroup it is listed under when a menu is grouped


@dataclass(frozen=True)
class NavGroup:
    """A heading of the grouped menu (HR's many links): a disclosure button that opens
    its links. A group with a single visible link shows as that link."""

    key: str
    label: StrOrPromise  # a lazy translation
    order: int = 100


NAV_LINKS: list[NavLink] = []
NAV_GROUPS: list[NavGroup] = []
# Callables (request, person) -> HTML string or "" shown on a person's page.
PERSON_PANELS: list[Callable] = []
# Callables (request) -> HTML string or "" shown on the home page, in order.
HOME_PANELS: list[Callable] = []


@dataclass(frozen=True)
class SetupStep:
    """One step of a new kommune's getting-started checklist, shown to kommune HR on the
    home page until every step is done (kompetence.getting_started).

    `done` is a callable (kommune) -> a boolean SQL expression (an `Exists(...)`, or a
    `Value(...)` when the kommune's settings decide), so the whole checklist is read
    in one query whatever the number of steps. `url_name` (with `url_args`) is the page
    where HR does the step."""

    key: str
    label: StrOrPromise  # a lazy translation
    url_name: str
    done: Callable
    order: int = 100
    url_args: tuple = ()


SETUP_STEPS: list[SetupStep] = []


@dataclass(frozen=True)
class PersonalDataSection:
    """One app's part of a person's data export (GDPR right of access).

    `files` is a callable (person) -> {name in the ZIP: bytes}; it must issue a fixed
    number of queries whatever the amount of data. `description` (a lazy translation)
    tells the person what the files hold; it goes into the ZIP's README.txt and onto
    the "Mine data" page.

    `private` marks the person's own private notes (their MUS preparation): read only
    by their author, so they go into the person's own download and never into one
    that HR makes on their behalf (see `kompetence.personal_data`)."""

    files: Callable
    description: StrOrPromise
    private: bool = False


PERSONAL_DATA_SECTIONS: list[PersonalDataSection] = []


def register_nav(*links: NavLink) -> None:
    for link in links:
        if link not in NAV_LINKS:
            NAV_LINKS.append(link)
    NAV_LINKS.sort(key=lambda link: link.order)


def register_nav_group(*groups: NavGroup) -> None:
    for group in groups:
        if all(g.key != group.key for g in NAV_GROUPS):
            NAV_GROUPS.append(group)
    NAV_GROUPS.sort(key=lambda group: group.order)


def register_person_panel(panel: Callable) -> None:
    if panel not in PERSON_PANELS:
        PERSON_PANELS.append(panel)


def register_home_panel(panel: Callable, *, first: bool = False) -> None:
    if panel not in HOME_PANELS:
        HOME_PANELS.insert(0, panel) if first else HOME_PANELS.append(panel)


def register_setup_step(*steps: SetupStep) -> None:
    for step in steps:
        if all(known.key != step.key for known in SETUP_STEPS):
            SETUP_STEPS.append(step)
    SETUP_STEPS.sort(key=lambda step: step.order)


def register_personal_data(
    files: Callable, *, description: StrOrPromise, private: bool = False
) -> None:
    """Adds an app's files to the personal data export (see `kompetence.personal_data`)."""
    if all(section.files is not files for section in PERSONAL_DATA_SECTIONS):
        PERSONAL_DATA_SECTIONS.append(
            PersonalDataSection(files=files, description=description, private=private)
        )


@dataclass(frozen=True)
class PersonalDataEraser:
    """One app's part of making a leaver anonymous (GDPR storage limitation; run by
    `annualcycle.retention`), registered next to its part of the export as pretix
    registers a data shredder per plugin.

    `erase` is a callable (person) -> None that deletes or anonymises the app's rows
    about the person. It runs inside the caller's transaction with the person's kommune's
    scope open, so it removes files outside the database only on commit. `count` is a callable
    (person ids) -> {what: number}: how many of each kind `erase` would delete, for the
    dry run HR reads first (the keys are fields of `annualcycle.retention.Outcome`)."""

    erase: Callable
    count: Callable | None = None


PERSONAL_DATA_ERASERS: list[PersonalDataEraser] = []


def register_personal_data_eraser(erase: Callable, *, count: Callable | None = None) -> None:
    """Adds an app's part to the GDPR deletion (see `kompetence.personal_data.erasers`)."""
    if all(eraser.erase is not erase for eraser in PERSONAL_DATA_ERASERS):
        PERSONAL_DATA_ERASERS.append(PersonalDataEraser(erase=erase, count=count))


@dataclass(frozen=True)
class Reason:
    """Why a tenant model's rows stay out of the export, or stay after the deletion:
    a decision written down where the model is registered, instead of an omission."""

    text: str


@dataclass(frozen=True)
class DataDecision:
    """What the two GDPR flows do with one tenant model's rows.

    `export` is the `files` callable of the export section that writes them (see
    `register_personal_data`), or a `Reason` they are not in the export. `erase` is the
    `erase` callable of the eraser that deletes or anonymises them (see
    `register_personal_data_eraser`), or a `Reason` they are kept. Every model with a
    `kommune` field has one; tests/kompetence/test_tenant_models.py fails otherwise."""

    export: Callable | Reason
    erase: Callable | Reason


def not_personal_data(reason: str) -> DataDecision:
    """The decision for a model that holds nothing about a person (a kommune's
    settings, its catalogue, figures that the anonymity rule already aggregated)."""
    because = Reason(f"not personal data: {reason}")
    return DataDecision(export=because, erase=because)


# "app_label.ModelName" -> its decision.
DATA_DECISIONS: dict[str, DataDecision] = {}


def register_data_decisions(decisions: Mapping[type[models.Model], DataDecision]) -> None:
    """Records an app's decision for each of its tenant models."""
    for model, decision in decisions.items():
        DATA_DECISIONS[model._meta.label] = decision


@dataclass(frozen=True)
class PositionAttribute:
    """An extra column of the organisation import whose data another app owns (the job
    profile, in `profiles`). Values are the canonical texts (a job profile's name);
    None means "none"."""

    column: Column
    choices: Callable  # (kommune) -> {lower-case text in the file: canonical text}
    current: Callable  # (position ids) -> {position id: canonical text}, only those with one
    apply: Callable  # (kommune, {position id: canonical text or None}) -> None


POSITION_ATTRIBUTES: list[PositionAttribute] = []


def register_position_attribute(attribute: PositionAttribute) -> None:
    if all(a.column.key != attribute.column.key for a in POSITION_ATTRIBUTES):
        POSITION_ATTRIBUTES.append(attribute)


# Sent (with `person_ids`, `kommune`) after positions change, so apps that keep
# figures derived from the organisation (e.g. required levels) can bring them up to date.
positions_changed = Signal()
# Sent (with `kommune`) when the platform operator creates a kommune, so apps can give
# it their defaults (e.g. the default årshjul).
kommune_created = Signal()

__all__ = [
    "DATA_DECISIONS",
    "HOME_PANELS",
    "NAV_GROUPS",
    "NAV_LINKS",
    "PERSONAL_DATA_ERASERS",
    "PERSONAL_DATA_SECTIONS",
    "PERSON_PANELS",
    "POSITION_ATTRIBUTES",
    "SETUP_STEPS",
    "DataDecision",
    "NavGroup",
    "NavLink",
    "PersonalDataEraser",
    "PersonalDataSection",
    "PositionAttribute",
    "Reason",
    "SetupStep",
    "kommune_created",
    "not_personal_data",
    "positions_changed",
    "register_data_decisions",
    "register_home_panel",
    "register_nav",
    "register_nav_group",
    "register_person_panel",
    "register_personal_data",
    "register_personal_data_eraser",
    "register_position_attribute",
    "register_setup_step",
]
