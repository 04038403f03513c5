"""HR's framework editor: building a framework, previewing it per role, publishing it,
and the rule that a published version never changes."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from kompetence import services as org_services
from profiles import access, services
from profiles.models import (
    Competence,
    CompetenceGroup,
    FrameworkVersion,
    RatingScale,
    Role,
    ScaleLevel,
)
from tests.conftest import client_for
from tests.profiles.factories import build_framework, competence

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LOCKED = "Versionen er offentliggjort og kan ikke ændres."


def _competence_data(group_id: int, name: str, *, prefix: str | None = None, **extra) -> dict:
    prefix = prefix or f"ny-kompetence-{group_id}"
    data = {
        "name": name,
        "short_description": f"Om {name.lower()}.",
        "what": "",
        "why": "",
        "how": "",
        "kind": Competence.Kind.GENERAL,
        **extra,
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


def _snapshot(org, version) -> list:
    """Everything the editor could change in a version, to prove nothing did."""
    with org.scope():
        version.refresh_from_db()
        groups = list(
            CompetenceGroup.objects.filter(version=version)
            .order_by("pk")
            .values_list("pk", "name", "description", "order")
        )
        competences = list(
            Competence.objects.filter(version=version)
            .order_by("pk")
            .values_list("pk", "group_id", "name", "short_description", "kind", "roles", "order")
        )
    return [version.status, groups, competences]


# --- Building a framework ------------------------------------------------------------


def test_hr_creates_a_framework_and_gets_the_default_scale(org_a):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("framework_create"),
        {"name": "Kompetencehjulet", "description": "Fredericias hjul."},
    )
    with org_a.scope():
        version = FrameworkVersion.objects.get(framework__name="Kompetencehjulet")
        scale = RatingScale.objects.get()
        values = list(scale.levels.values_list("value", flat=True))
    assert response.status_code == 302
    assert response.url == reverse("framework_version", args=[version.pk])
    assert (version.number, version.status) == (1, FrameworkVersion.Status.DRAFT)
    assert version.framework.scale == scale
    assert values == [0, 1, 2, 3, 4, 5]


def test_framework_create_offers_the_kommunes_own_scales(org_a):
    with org_a.scope():
        own = services.scale_create_default(kommune=org_a.kommune, name="Vores skala")
    client = client_for(org_a.hr)
    page = client.get(reverse("framework_create"))
    assert "Vores skala" in page.text
    client.post(reverse("framework_create"), {"name": "Ny ramme", "scale": own.pk})
    with org_a.scope():
        assert FrameworkVersion.objects.get(framework__name="Ny ramme").framework.scale == own
        assert RatingScale.objects.count() == 1


def test_framework_without_a_name_is_refused_in_danish(org_a):
    response = client_for(org_a.hr).post(reverse("framework_create"), {"name": ""}, **HTMX)
    assert response.status_code == 200
    assert "Dette felt er påkrævet." in response.text
    assert 'id="field-name"' in response.text
    with org_a.scope():
        assert not FrameworkVersion.objects.exists()


def test_hr_builds_reorders_previews_and_publishes_a_framework(org_a):
    client = client_for(org_a.hr)
    client.post(reverse("framework_create"), {"name": "Grundlaget"})
    with org_a.scope():
        version = FrameworkVersion.objects.get(framework__name="Grundlaget")
    editor = reverse("framework_version", args=[version.pk])

    response = client.post(
        reverse("group_create", args=[version.pk]),
        {"ny-gruppe-name": "Sammen sikrer vi driften", "ny-gruppe-description": ""},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#version-body"
    assert "Gruppen »Sammen sikrer vi driften« er tilføjet." in response.text
    with org_a.scope():
        group = CompetenceGroup.objects.get(version=version)

    for name, roles in [
        ("Helhedssyn", []),
        ("Strategisk ledelse", [Role.LEDER_AF_MEDARBEJDERE, Role.CENTERCHEF]),
        ("Samarbejde", []),
    ]:
        response = client.post(
            reverse("competence_create", args=[group.pk]),
            _competence_data(group.pk, name, roles=roles),
            **HTMX,
        )
        assert response.status_code == 200
        assert f"Kompetencen »{name}« er tilføjet." in response.text

    def names():
        with org_a.scope():
            return list(
                Competence.objects.filter(version=version)
                .order_by("order", "pk")
                .values_list("name", flat=True)
            )

    assert names() == ["Helhedssyn", "Strategisk ledelse", "Samarbejde"]
    samarbejde = competence(version, "Samarbejde")
    response = client.post(
        reverse("competence_move", args=[samarbejde.pk]), {"direction": "up"}, **HTMX
    )
    assert "»Samarbejde« er flyttet op." in response.text
    assert names() == ["Helhedssyn", "Samarbejde", "Strategisk ledelse"]
    client.post(reverse("competence_move", args=[samarbejde.pk]), {"direction": "up"})
    assert names() == ["Samarbejde", "Helhedssyn", "Strategisk ledelse"]
    # Already at the top: nothing moves, and the editor says so.
    response = client.post(
        reverse("competence_move", args=[samarbejde.pk]), {"direction": "up"}, **HTMX
    )
    assert "»Samarbejde« er allerede øverst." in response.text
    assert names() == ["Samarbejde", "Helhedssyn", "Strategisk ledelse"]

    page = client.get(editor)
    assert page.status_code == 200
    assert page.text.index("Samarbejde") < page.text.index("Helhedssyn")
    assert "Kun for: Centerchef, Leder af medarbejdere" in page.text

    preview = client.get(
        reverse("framework_preview", args=[version.pk]), {"rolle": Role.MEDARBEJDER}
    )
    assert preview.status_code == 200
    assert "Helhedssyn" in preview.text
    assert "Strategisk ledelse" not in preview.text
    as_leader = client.get(
        reverse("framework_preview", args=[version.pk]), {"rolle": Role.LEDER_AF_MEDARBEJDERE}
    )
    assert "Strategisk ledelse" in as_leader.text

    confirm = client.get(reverse("framework_publish", args=[version.pk]))
    assert confirm.status_code == 200
    assert "Versionen låses" in confirm.text
    assert "1 grupper og 3 kompetencer" in confirm.text
    response = client.post(reverse("framework_publish", args=[version.pk]))
    assert response.status_code == 302
    with org_a.scope():
        version.refresh_from_db()
    assert version.status == FrameworkVersion.Status.PUBLISHED
    assert version.published_by == org_a.hr
    page = client.get(editor)
    assert "Ny version ud fra denne" in page.text
    assert "Lad udgå" in page.text
    assert "Flyt op" not in page.text
    assert "Tilføj kompetence" not in page.text


def test_group_and_competence_are_edited_moved_and_deleted_in_a_draft(org_a):
    version = build_framework(org_a.kommune, publish=False)
    client = client_for(org_a.hr)
    with org_a.scope():
        first, second = list(version.groups.order_by("order"))[:2]
    response = client.get(reverse("group_edit", args=[first.pk]), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'name="gruppe-{first.pk}-name"' in response.text

    client.post(
        reverse("group_edit", args=[first.pk]),
        {f"gruppe-{first.pk}-name": "Udvikling og læring", f"gruppe-{first.pk}-description": ""},
        **HTMX,
    )
    client.post(reverse("group_move", args=[second.pk]), {"direction": "up"}, **HTMX)
    innovation = competence(version, "Innovationskompetence")
    client.post(
        reverse("competence_edit", args=[innovation.pk]),
        _competence_data(
            first.pk,
            "Innovation",
            prefix=f"kompetence-{innovation.pk}",
            kind=Competence.Kind.PROFESSIONAL,
            roles=[Role.MEDARBEJDER],
        ),
        **HTMX,
    )
    forandring = competence(version, "Forandringskompetence")
    client.post(reverse("competence_delete", args=[forandring.pk]), **HTMX)
    with org_a.scope():
        groups = list(version.groups.order_by("order").values_list("name", flat=True))
        innovation.refresh_from_db()
        assert not Competence.objects.filter(pk=forandring.pk).exists()
    assert groups[:2] == ["Kultur", "Udvikling og læring"]
    assert (innovation.name, innovation.kind, innovation.roles) == (
        "Innovation",
        Competence.Kind.PROFESSIONAL,
        [Role.MEDARBEJDER],
    )

    client.post(reverse("group_delete", args=[second.pk]))
    with org_a.scope():
        assert not CompetenceGroup.objects.filter(pk=second.pk).exists()
        assert not Competence.objects.filter(group_id=second.pk).exists()


def test_a_bad_competence_is_refused_in_danish_and_nothing_saved(org_a):
    version = build_framework(org_a.kommune, publish=False)
    client = client_for(org_a.hr)
    with org_a.scope():
        group = version.groups.first()
        before = Competence.objects.count()
    response = client.post(
        reverse("competence_create", args=[group.pk]),
        _competence_data(group.pk, "", roles=["borgmester"]),
        **HTMX,
    )
    assert response.status_code == 200
    assert "Formularen er ikke gemt" in response.text
    assert "Dette felt er påkrævet." in response.text
    assert "borgmester" in response.text  # the unknown role is named
    assert "<html" not in response.text
    with org_a.scope():
        assert Competence.objects.count() == before


def test_inline_validation_saves_nothing(org_a):
    version = build_framework(org_a.kommune, publish=False)
    client = client_for(org_a.hr)
    with org_a.scope():
        group = version.groups.first()
        before = Competence.objects.count()
    data = _competence_data(group.pk, "Gyldig")
    data["_validate"] = f"ny-kompetence-{group.pk}-name"
    response = client.post(reverse("competence_create", args=[group.pk]), data, **HTMX)
    assert response.status_code == 200
    assert f'id="field-ny-kompetence-{group.pk}-name"' in response.text
    data["_validate"] = "no-such-field"
    assert client.post(reverse("competence_create", args=[group.pk]), data).status_code == 204
    with org_a.scope():
        assert Competence.objects.count() == before


def test_an_unknown_move_direction_is_refused_in_danish(org_a):
    version = build_framework(org_a.kommune, publish=False)
    with org_a.scope():
        group = version.groups.first()
    before = _snapshot(org_a, version)
    response = client_for(org_a.hr).post(
        reverse("group_move", args=[group.pk]), {"direction": "sidelæns"}
    )
    assert response.status_code == 200
    assert "Feltet »retning«" in response.text
    assert _snapshot(org_a, version) == before


def test_publishing_an_empty_framework_is_refused(org_a):
    version = build_framework(org_a.kommune, groups={}, publish=False)
    response = client_for(org_a.hr).post(reverse("framework_publish", args=[version.pk]))
    assert response.status_code == 200
    assert "En ramme uden kompetencer kan ikke offentliggøres." in response.text
    with org_a.scope():
        version.refresh_from_db()
    assert version.is_draft


# --- A published version is frozen ---------------------------------------------------


def _mutations(version, group, item) -> list[tuple[str, dict]]:
    return [
        (reverse("group_create", args=[version.pk]), {"ny-gruppe-name": "Ny"}),
        (
            reverse("group_edit", args=[group.pk]),
            {f"gruppe-{group.pk}-name": "Ændret", f"gruppe-{group.pk}-description": ""},
        ),
        (reverse("group_move", args=[group.pk]), {"direction": "down"}),
        (reverse("competence_create", args=[group.pk]), _competence_data(group.pk, "Ny")),
        (
            reverse("competence_edit", args=[item.pk]),
            _competence_data(group.pk, "Ændret", prefix=f"kompetence-{item.pk}"),
        ),
        (reverse("competence_move", args=[item.pk]), {"direction": "down"}),
        (reverse("competence_delete", args=[item.pk]), {}),
        (reverse("group_delete", args=[group.pk]), {}),
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_change_to_a_published_version_is_refused_and_nothing_changes(org_a, htmx):
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        group = version.groups.order_by("order").first()
        item = group.competences.order_by("order").first()
    before = _snapshot(org_a, version)
    client = client_for(org_a.hr)
    headers = HTMX if htmx else {}
    for url, data in _mutations(version, group, item):
        response = client.post(url, data, **headers)
        assert response.status_code == 200, url
        assert LOCKED in response.text, url
        assert 'role="alert"' in response.text
    for url in (reverse("group_edit", args=[group.pk]), reverse("competence_edit", args=[item.pk])):
        response = client.get(url, **headers)
        assert response.status_code == 200
        assert LOCKED in response.text
        assert "Gem kompetencen" not in response.text
        assert "Flyt op" not in response.text
    assert _snapshot(org_a, version) == before


def test_a_retired_version_is_frozen_too(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        services.version_retire(version=version)
        group = version.groups.first()
    before = _snapshot(org_a, version)
    response = client_for(org_a.hr).post(
        reverse("competence_create", args=[group.pk]), _competence_data(group.pk, "Ny")
    )
    assert LOCKED in response.text
    assert _snapshot(org_a, version) == before
    page = client_for(org_a.hr).get(reverse("framework_version", args=[version.pk]))
    assert "Ny version ud fra denne" in page.text
    assert "Lad udgå" not in page.text


def test_a_new_version_copies_groups_and_competences_with_their_keys(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    client = client_for(org_a.hr)
    response = client.post(reverse("framework_new_version", args=[version.pk]))
    with org_a.scope():
        draft = FrameworkVersion.objects.get(framework=version.framework, number=2)
        old = {c.key: (c.name, c.group.name) for c in Competence.objects.filter(version=version)}
        new = {c.key: (c.name, c.group.name) for c in Competence.objects.filter(version=draft)}
        old_groups = set(version.groups.values_list("key", "name"))
        new_groups = set(draft.groups.values_list("key", "name"))
    assert response.status_code == 302
    assert response.url == reverse("framework_version", args=[draft.pk])
    assert draft.is_draft and draft.based_on_id == version.pk
    assert new == old and len(new) == 5
    assert new_groups == old_groups

    # A second click opens the same draft rather than making another.
    again = client.post(reverse("framework_new_version", args=[version.pk]))
    assert again.url == reverse("framework_version", args=[draft.pk])

    # The draft is editable; publishing it retires the old version.
    with org_a.scope():
        group = draft.groups.order_by("order").first()
    client.post(reverse("competence_create", args=[group.pk]), _competence_data(group.pk, "Ny"))
    client.post(reverse("framework_publish", args=[draft.pk]))
    with org_a.scope():
        version.refresh_from_db()
        draft.refresh_from_db()
        assert Competence.objects.filter(version=version).count() == 5
    assert version.status == FrameworkVersion.Status.RETIRED
    assert draft.status == FrameworkVersion.Status.PUBLISHED


def test_retire_a_published_version_but_not_a_draft(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    draft = build_framework(org_a.kommune, name="Anden ramme", publish=False)
    client = client_for(org_a.hr)
    refused = client.post(reverse("framework_retire", args=[draft.pk]))
    assert refused.status_code == 200
    assert "Kun en offentliggjort version kan udgå." in refused.text
    assert client.post(reverse("framework_retire", args=[version.pk])).status_code == 302
    with org_a.scope():
        version.refresh_from_db()
        draft.refresh_from_db()
    assert version.status == FrameworkVersion.Status.RETIRED
    assert draft.is_draft


def test_framework_list_shows_versions_and_scales(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        services.version_new_draft(version=version)
    page = client_for(org_a.hr).get(reverse("framework_list"))
    assert page.status_code == 200
    assert "Kompetencehjulet" in page.text
    assert "Offentliggjort" in page.text and "Kladde" in page.text
    assert "Københavnerskalaen" in page.text


# --- Scales ---------------------------------------------------------------------------


def test_scale_page_lists_levels_and_a_label_can_be_edited_but_not_the_value(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        scale = version.framework.scale
        level = ScaleLevel.objects.get(scale=scale, value=3)
    client = client_for(org_a.hr)
    page = client.get(reverse("scale_detail", args=[scale.pk]))
    assert page.status_code == 200
    assert "Ikke relevant for mig" in page.text and "Ekspert" in page.text
    assert "Kompetencehjulet" in page.text

    response = client.post(
        reverse("scale_level_edit", args=[level.pk]),
        {
            "label_da": "Selvstændig",
            "label_en": "Independent",
            "description_da": "Klarer opgaverne selv.",
            "description_en": "Handles the tasks alone.",
            "value": "9",
        },
    )
    assert response.status_code == 302
    with org_a.scope():
        level.refresh_from_db()
    assert (level.value, level.label_da, level.label_en) == (3, "Selvstændig", "Independent")

    missing = client.post(reverse("scale_level_edit", args=[level.pk]), {"label_da": ""}, **HTMX)
    assert "Dette felt er påkrævet." in missing.text


# --- Access ----------------------------------------------------------------------------


def _hr_urls(version, group, item, scale, level) -> list[tuple[str, str]]:
    return [
        ("get", reverse("framework_list")),
        ("get", reverse("framework_create")),
        ("get", reverse("framework_version", args=[version.pk])),
        ("get", reverse("framework_preview", args=[version.pk])),
        ("get", reverse("framework_publish", args=[version.pk])),
        ("post", reverse("framework_publish", args=[version.pk])),
        ("post", reverse("framework_new_version", args=[version.pk])),
        ("post", reverse("framework_retire", args=[version.pk])),
        ("post", reverse("group_create", args=[version.pk])),
        ("get", reverse("group_edit", args=[group.pk])),
        ("post", reverse("group_delete", args=[group.pk])),
        ("post", reverse("group_move", args=[group.pk])),
        ("get", reverse("competence_create", args=[group.pk])),
        ("get", reverse("competence_edit", args=[item.pk])),
        ("post", reverse("competence_delete", args=[item.pk])),
        ("post", reverse("competence_move", args=[item.pk])),
        ("get", reverse("scale_detail", args=[scale.pk])),
        ("get", reverse("scale_level_edit", args=[level.pk])),
    ]


def _objects(org):
    version = build_framework(org.kommune, publish=False)
    with org.scope():
        group = version.groups.first()
        return (
            version,
            group,
            group.competences.first(),
            version.framework.scale,
            (ScaleLevel.objects.filter(scale=version.framework.scale).first()),
        )


def test_hr_of_another_kommune_gets_404_for_every_framework_page(org_a, org_b):
    urls = _hr_urls(*_objects(org_a))
    client = client_for(org_b.hr)
    for method, url in urls:
        if url in (reverse("framework_list"), reverse("framework_create")):
            continue  # no object in the URL: B's HR sees B's own list
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("who", ["employee", "leader", "chef", "director"])
def test_people_without_the_hr_role_get_404_on_framework_pages(org_a, who):
    urls = _hr_urls(*_objects(org_a))
    client = client_for(getattr(org_a, who))
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url


def test_anonymous_visitor_is_sent_to_log_in(org_a):
    response = client_for(None, org_a.kommune).get(reverse("framework_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 40])
@pytest.mark.parametrize("publish", [False, True], ids=["draft", "published"])
def test_editor_page_query_count_does_not_grow(org_a, size, publish, django_assert_max_num_queries):
    groups = {f"Gruppe {g}": [f"Kompetence {g}.{c}" for c in range(size // 5)] for g in range(5)}
    version = build_framework(org_a.kommune, groups=groups, publish=publish, by=org_a.hr)
    client = client_for(org_a.hr)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("framework_version", args=[version.pk]))
    assert response.status_code == 200
    assert response.text.count('class="competence-item"') == size
    with django_assert_max_num_queries(16):
        client.get(reverse("framework_preview", args=[version.pk]))


@pytest.mark.parametrize("size", [5, 40])
def test_editor_actions_query_count_does_not_grow(org_a, size, django_assert_max_num_queries):
    version = build_framework(
        org_a.kommune, groups={"Gruppe": [f"K{c}" for c in range(size)]}, publish=False
    )
    with org_a.scope():
        item = Competence.objects.filter(version=version).order_by("order").last()
    client = client_for(org_a.hr)
    # item_move rewrites the order of the neighbours it swaps: at most two UPDATEs.
    with django_assert_max_num_queries(24):
        response = client.post(
            reverse("competence_move", args=[item.pk]), {"direction": "up"}, **HTMX
        )
    assert response.status_code == 200


def test_framework_access_helpers_give_kommune_hr_only_the_same_404_for_everyone_else(org_a, org_b):
    """The helpers state the contract on their own, not only through the views'
    decorator: an HR grant for one unit is not HR for what the whole kommune shares."""
    version, group, item, scale, level = _objects(org_a)
    with org_a.scope():
        org_services.unit_grant(
            user=org_a.leader.user, unit=org_a.team, codename="administer_orgunit"
        )
        profile = services.job_profile_create(
            kommune=org_a.kommune, framework=version.framework, name="Sagsbehandler"
        )
        helpers = [
            (access.get_version_or_404, version),
            (access.get_group_or_404, group),
            (access.get_competence_or_404, item),
            (access.get_scale_or_404, scale),
            (access.get_level_or_404, level),
            (access.get_job_profile_or_404, profile),
        ]
        for helper, obj in helpers:
            assert helper(org_a.hr, obj.pk) == obj
            for outsider in (org_a.leader, org_a.employee, org_b.hr):
                with pytest.raises(Http404):
                    helper(outsider, obj.pk)
            with pytest.raises(Http404):
                helper(org_a.hr, obj.pk + 10_000)
