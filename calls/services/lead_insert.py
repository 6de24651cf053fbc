"""The fast path under bulk lead creation: one multi-row INSERT that skips phones already present.

Django's bulk_create prepares every value of every row field by field; on a 100k-row import that was
most of the time (about 15 s of 24 s on MariaDB here). Here the per-batch constants are prepared once
and only the row's own values per row; mysqlclient turns `executemany` into multi-row INSERTs.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models.constants import OnConflict

from calls.models import Lead

if TYPE_CHECKING:
    from calls.services.campaigns import LeadRow

ROW_COLUMNS = ("phone", "customer_name", "region", "extra")


def leads_insert_ignoring_duplicates(*, campaign_id: int, rows: Sequence["LeadRow"], now: datetime) -> int:
    """Insert the rows as pending leads due at `now`; returns how many were new (the rest were skipped)."""
    if not rows:
        return 0
    meta = Lead._meta
    constants = {
        "campaign": campaign_id,
        "status": Lead.Status.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_outcome": "",
        "created_at": now,
        "updated_at": now,
    }
    constant_fields: list[Any] = [meta.get_field(name) for name in constants]
    constant_values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(constant_fields, constants.values(), strict=True)
    ]
    extra_field: Any = meta.get_field("extra")
    row_fields: list[Any] = [meta.get_field(name) for name in ROW_COLUMNS]
    fields = [*row_fields, *constant_fields]
    quote = connection.ops.quote_name
    sql = "{insert} {table} ({columns}) VALUES ({values}) {suffix}".format(
        insert=connection.ops.insert_statement(on_conflict=OnConflict.IGNORE),
        table=quote(meta.db_table),
        columns=", ".join(quote(field.column) for field in fields),
        values=", ".join(["%s"] * len(fields)),
        suffix=connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None) or "",
    )
    params = [
        (
            row.phone,
            row.customer_name[:200],
            row.region,
            extra_field.get_db_prep_save(row.extra, connection),
            *constant_values,
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return max(cursor.rowcount, 0)
