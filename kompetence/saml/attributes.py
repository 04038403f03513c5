"""What an OIOSAML 3 assertion says about the person, read from its attributes.

Pure functions over pysaml2's attribute dictionary (name → list of values):

* the NSIS assurance level, ``https://data.gov.dk/concept/core/nsis/loa``: "Low",
  "Substantial" or "High";
* who it is: the persistent professional UUID (falls back to the NameID) and the e-mail;
* the privileges, ``https://data.gov.dk/model/core/eid/privilegesIntermediate``: a
  base64-encoded OIO Basic Privilege Profile document::

      <bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">
        <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189900">
          <Privilege>http://kompetence.dk/roles/usersystemrole/leder/1</Privilege>
          <Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">ENH-7</Constraint>
        </PrivilegeGroup>
      </bpp:PrivilegeList>

  A group's privileges hold for the units its organisation-unit constraints name
  (KOMBIT's data constraint ``…/constraints/orgenhed/1``, one unit id per constraint or
  several separated by commas); those ids are Kompetence's `OrgUnit.external_id`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

LOA = "https://data.gov.dk/concept/core/nsis/loa"
PROFESSIONAL_UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
EMAIL = "https://data.gov.dk/model/core/eid/email"
PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
# The marker in a constraint's name that it limits the privilege to organisation units.
ORG_UNIT_CONSTRAINT = "orgenhed"

Attributes = Mapping[str, Sequence[str]]


class BadPrivileges(ValueError):
    pass


@dataclass(frozen=True)
class Privilege:
    name: str
    scope: str = ""
    units: frozenset[str] = field(default_factory=frozenset)


def first(attributes: Attributes, name: str) -> str:
    values = attributes.get(name) or []
    return str(values[0]).strip() if values else ""


def privileges(attributes: Attributes) -> list[Privilege]:
    """Every privilege the assertion grants, with its scope and units. Raises
    BadPrivileges when the attribute is there but is not a privilege list."""
    found: list[Privilege] = []
    for encoded in attributes.get(PRIVILEGES) or []:
        try:
            root = ElementTree.fromstring(base64.b64decode(str(encoded), validate=False))
        except (binascii.Error, ElementTree.ParseError, DefusedXmlException, ValueError) as e:
            raise BadPrivileges(str(e)) from e
        if _local(root.tag) != "PrivilegeList":
            raise BadPrivileges(root.tag)
        for group in root:
            if _local(group.tag) != "PrivilegeGroup":
                continue
            units = frozenset(
                unit.strip()
                for constraint in group
                if _local(constraint.tag) == "Constraint"
                and ORG_UNIT_CONSTRAINT in constraint.get("Name", "")
                for unit in (constraint.text or "").split(",")
                if unit.strip()
            )
            found.extend(
                Privilege(name=(item.text or "").strip(), scope=group.get("Scope", ""), units=units)
                for item in group
                if _local(item.tag) == "Privilege" and (item.text or "").strip()
            )
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
