"""factory_boy factories for the organisation core. Each factory opens the scope of
the kommune it builds for, so tests can create rows of two kommuner side by side."""

from __future__ import annotations

import factory

from kompetence import services
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, OrgUnit, Person, Position


class KommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kommune
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kommune{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} Kommune")


class OrgUnitFactory(factory.Factory):
    class Meta:
        model = OrgUnit

    kommune = factory.SubFactory(KommuneFactory)
    parent = None
    name = factory.Sequence(lambda n: f"Enhed {n}")
    kind = OrgUnit.Kind.AFDELING
    external_id = ""

    @classmethod
    def _create(cls, model_class, *, kommune, **kwargs):
        with kommune_scope(kommune):
            return services.unit_create(kommune=kommune, **kwargs)


class PersonFactory(factory.Factory):
    class Meta:
        model = Person

    kommune = factory.SubFactory(KommuneFactory)
    employee_number = factory.Sequence(lambda n: f"{10000 + n}")
    name = factory.Faker("name", locale="da_DK")
    email = factory.LazyAttribute(lambda o: f"p{o.employee_number}@{o.kommune.slug}.example")
    is_hr = False
    password = "test-password-123"

    @classmethod
    def _create(cls, model_class, *, kommune, password, **kwargs):
        with kommune_scope(kommune):
            return services.person_create(kommune=kommune, password=password, **kwargs)


class PositionFactory(factory.Factory):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    job_title = "Socialrådgiver"
    is_leader = False

    @classmethod
    def _create(cls, model_class, *, person, unit, **kwargs):
        with kommune_scope(person.kommune):
            return services.position_create(person=person, unit=unit, **kwargs)
