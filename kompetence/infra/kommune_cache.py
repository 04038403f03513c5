"""The kommune of a host, kept in the cache so a request does not read it every time.

Every request on a kommune host needs its Kommune row before anything else (the scope
is made of it). The row changes rarely (the console closes a kommune, HR edits its
settings), so it is cached under a generation that every write to any kommune moves
on: `Kommune.save`/`delete` and the `KommuneQuerySet`'s bulk writes call
`kommune_hosts_changed`, at once and again when the transaction commits. A request
reads the generation before the row, so a row read before a commit is stored under a
generation that the commit has already left behind: it is never found again.

What the ORM does not see (a migration, raw SQL, another process's own in-memory cache
where there is no Redis) is bounded by `TIMEOUT`. The SSO client secret is not kept in
the cache; the sign-in that needs it reads it from the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from kompetence.models import Kommune

GENERATION_KEY = "kommune-hosts-generation"
TIMEOUT = 300  # seconds: the bound for writes the ORM does not see
_MISSING = "-"  # a label without a kommune is cached too, so a wrong host costs no query


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Evicted or never set: a fresh generation, so nothing cached before is reused.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY) or uuid.uuid4().hex
    return generation


def _move_on() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def kommune_hosts_changed() -> None:
    """Forgets every cached kommune, now and once the writer's transaction commits."""
    _move_on()
    transaction.on_commit(_move_on)


def kommune_for_label(label: str, load: Callable[[str], Kommune | None]) -> Kommune | None:
    """The kommune whose host label is `label` (None if there is none), from the cache
    or from `load`."""
    key = f"kommune-host:{_generation()}:{label}"
    cached = cache.get(key)
    if cached == _MISSING:
        return None
    if cached is not None:
        return cached
    kommune = load(label)
    cache.set(key, _MISSING if kommune is None else kommune, timeout=TIMEOUT)
    return kommune
