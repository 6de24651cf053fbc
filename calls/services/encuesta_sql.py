"""The statements of a survey save written out, for the bridge's hot path (POST /guardar-encuesta).

Compiling them through the ORM cost more CPU than the database took to run them (docs/benchmarks.md,
benchmarks/bench_bridge.py). They are built from the models' own table and column names, and every
value is prepared by its model field, so the rows hold exactly what the ORM would write.
"""

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.constants import OnConflict

from calls.models import Encuesta, EncuestaAnswer, Lead
from calls.webhook_models import WebhookEndpoint


@dataclass(frozen=True)
class _LockedRead:
    """The locked read of a survey for one connection: its SQL and how to turn a row into an Encuesta."""

    sql: str
    columns: list[Any]  # (Col, its converters) per concrete field, in the SELECT's order
    attnames: list[str]


_LOCKED_READS: "weakref.WeakKeyDictionary[BaseDatabaseWrapper, _LockedRead]" = weakref.WeakKeyDictionary()


def _locked_read(db: BaseDatabaseWrapper) -> _LockedRead:
    """Worked out once per connection: the converters are what the ORM applies to each column it
    reads (time zones, JSON, booleans)."""
    if db not in _LOCKED_READS:
        qn = db.ops.quote_name
        table = Encuesta._meta.db_table
        cols = [field.get_col(table) for field in Encuesta._meta.concrete_fields]
        lock = " FOR UPDATE" if db.features.has_select_for_update else ""
        sql = (
            f"SELECT {', '.join('e.' + qn(str(col.target.column)) for col in cols)},"  # noqa: S608 (names)
            # A lead not on the phone follows a late save; one on the phone follows its call's end.
            f" (SELECT l.{qn('id')} FROM {qn(Lead._meta.db_table)} l"
            f" WHERE l.{qn('encuesta_id')} = e.{qn('id')} AND l.{qn('status')} <> %s LIMIT 1),"
            f" EXISTS (SELECT 1 FROM {qn(WebhookEndpoint._meta.db_table)} w WHERE w.{qn('is_active')})"
            f" FROM {qn(table)} e WHERE e.{qn('id')} = %s{lock}"
        )
        _LOCKED_READS[db] = _LockedRead(
            sql=sql,
            columns=[(col, db.ops.get_db_converters(col) + col.get_db_converters(db)) for col in cols],
            attnames=[col.target.attname for col in cols],
        )
    return _LOCKED_READS[db]


def encuesta_locked(encuesta_id: int) -> Encuesta | None:
    """The survey row locked, with the lead and webhook facts its save may need, in one query.

    Only the survey row is locked: subqueries are plain reads, and FOR UPDATE over a join would also
    lock the agent every survey shares.
    """
    db = connections[DEFAULT_DB_ALIAS]
    read = _locked_read(db)
    with db.cursor() as cursor:
        cursor.execute(read.sql, [Lead.Status.CALLING, encuesta_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for (col, functions), value in zip(read.columns, row, strict=False):
        for function in functions:
            value = function(value, col, db)
        values.append(value)
    encuesta = Encuesta.from_db(db.alias, read.attnames, values)
    extra = cast(Any, encuesta)
    extra.idle_lead_id, extra.webhooks_active = row[-2], bool(row[-1])
    return encuesta


def encuesta_update(*, encuesta_id: int, only_from: frozenset[str], fields: Mapping[str, object]) -> int:
    """UPDATE the named fields of one survey while its status is one of `only_from`; rows changed."""
    meta = Encuesta._meta
    qn = connection.ops.quote_name
    model_fields: list[Any] = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{qn(field.column)} = %s" for field in model_fields)
    statuses = ", ".join(["%s"] * len(only_from))
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {assignments}"  # noqa: S608 (names from the model)
        f" WHERE {qn('id')} = %s AND {qn('status')} IN ({statuses})"
    )
    values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(model_fields, fields.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, encuesta_id, *sorted(only_from)])
        return cursor.rowcount


def answer_rows_upsert(*, encuesta_id: int, rows: Sequence[tuple[str, Decimal | None, str]]) -> None:
    """Insert (question key, number, text) rows, replacing the survey's rows for the same keys."""
    meta = EncuestaAnswer._meta
    qn = connection.ops.quote_name
    fields: list[Any] = [
        meta.get_field(name) for name in ("encuesta", "question_key", "value_number", "value_text")
    ]
    update: list[Any] = fields[2:]
    # MariaDB's ON DUPLICATE KEY UPDATE takes no conflict target; SQLite and PostgreSQL need one.
    target = fields[:2] if connection.features.supports_update_conflicts_with_target else []
    suffix = connection.ops.on_conflict_suffix_sql(
        fields, OnConflict.UPDATE, [f.column for f in update], [f.column for f in target]
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"  # noqa: S608
        f" VALUES {', '.join([row] * len(rows))} {suffix}"
    )
    number_field = fields[2]
    params: list[Any] = []
    for key, number, text in rows:
        params += [encuesta_id, key, number_field.get_db_prep_save(number, connection), text]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
