"""Inserting very many rows at once (the round opening of a 45,000-person kommune
writes 1.8 million assessment rows): on PostgreSQL one INSERT … SELECT FROM unnest(…)
per 10,000 rows, the columns sent as arrays — several times faster than Django's
bulk_create, and allowed under row-level security, which COPY is not. Elsewhere (the
embedded SQLite) bulk_create."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import batched
from typing import cast

from django.db import connection, models

BATCH = 10_000


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> None:
    """Inserts `rows` (tuples of the values of `fields`, by attribute name: `unit_id`)."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=2000
        )
        return
    model_fields = [
        cast(models.Field, model._meta.get_field(name.removesuffix("_id"))) for name in fields
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, f.column)) for f in model_fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in model_fields)
    # Table, column and type names come from the model, never from input.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
    with connection.cursor() as cursor:
        for batch in batched(rows, BATCH):
            cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
