"""Writing an import's batches while the next one is validated.

Validation (libphonenumber) and the database insert take similar time; with one batch in flight on
a writer thread the two overlap (the client library releases the GIL while MariaDB works). Inside a
transaction (tests, the API's create) or on SQLite the batches are written inline, in the caller's
connection, because another thread's connection would not see the caller's uncommitted rows.
"""

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from django.db import connection

from calls.services.campaigns import LeadRow, LeadsCreated, leads_bulk_create


class BatchWriter:
    def __init__(self, *, campaign_id: int) -> None:
        self.campaign_id = campaign_id
        threaded = connection.vendor != "sqlite" and not connection.in_atomic_block
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lead-import") if threaded else None
        self._in_flight: Future[LeadsCreated] | None = None
        self._in_flight_phones: frozenset[str] = frozenset()
        self.created = 0
        self.duplicates = 0

    def _write(self, rows: Sequence[LeadRow]) -> LeadsCreated:
        return leads_bulk_create(campaign_id=self.campaign_id, rows=rows, batch_size=max(len(rows), 1))

    def _count(self, written: LeadsCreated) -> None:
        self.created += written.created
        self.duplicates += written.duplicates

    def _wait(self) -> None:
        if self._in_flight is not None:
            future, self._in_flight = self._in_flight, None
            self._in_flight_phones = frozenset()
            self._count(future.result())

    @property
    def unwritten_phones(self) -> frozenset[str]:
        """Phones of the batch still being written: not yet visible to a duplicate query."""
        return self._in_flight_phones

    def submit(self, rows: Sequence[LeadRow]) -> None:
        self._wait()
        if self._pool is None:
            self._count(self._write(rows))
            return
        self._in_flight = self._pool.submit(self._write, rows)
        self._in_flight_phones = frozenset(row.phone for row in rows)

    def __enter__(self) -> "BatchWriter":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc is None:
                self._wait()
        finally:
            if self._pool is not None:
                self._pool.submit(lambda: connection.close()).result()  # the writer thread's own connection
                self._pool.shutdown(wait=True)
