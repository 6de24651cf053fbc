"""Importing leads into a campaign: per-row validation, rejection report, batched writes.

Memory stays bounded by the batch: each batch is checked against the do-not-call list and the leads
already in the campaign (earlier batches are committed by then, so duplicates across the file are
found by the database), then written through `leads_bulk_create`.
"""

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.lead_files import UNREADABLE, Columns, LeadTable, slug
from calls.models import Campaign, DoNotCallEntry, Lead
from calls.models_campaigns import REGION_CHOICES
from calls.services.campaigns import LeadRow
from calls.services.lead_batches import BatchWriter
from calls.spreadsheets import neutralize
from telephony.phones import dialable_phone

BATCH_SIZE = 2000
SAMPLE_SIZE = 100
MAX_EXTRA_CHARS = 500


class Rejection(TextChoices):
    INVALID = "invalid", gettext_lazy("Número no válido")
    FOREIGN = "foreign", gettext_lazy("País no autorizado")
    PREMIUM = "premium", gettext_lazy("Tarificación especial u otro tipo no permitido")
    DUPLICATE = "duplicate", gettext_lazy("Duplicado")
    DO_NOT_CALL = "do_not_call", gettext_lazy("En la lista de no llamar")


PHONE_ERROR_REASONS = {
    "country_not_allowed": Rejection.FOREIGN,
    "number_type_not_allowed": Rejection.PREMIUM,
}
REGION_ALIASES = {
    **{code.lower(): code for code, _name in REGION_CHOICES},
    **{f"es_{code.lower()}": code for code, _name in REGION_CHOICES},
    **{slug(name): code for code, name in REGION_CHOICES},
    "madrid": "MD",
    "cataluna": "CT",
    "catalunya": "CT",
    "pais_vasco": "PV",
    "euskadi": "PV",
    "comunidad_valenciana": "VC",
    "valencia": "VC",
    "baleares": "IB",
    "islas_baleares": "IB",
    "murcia": "MC",
    "rioja": "RI",
    "navarra": "NC",
    "comunidad_foral_de_navarra": "NC",
    "principado_de_asturias": "AS",
}


@dataclass(frozen=True)
class RejectedRow:
    line: int
    phone: str
    reason: str
    detail: str
    cells: tuple[str, ...] = ()

    @property
    def reason_label(self) -> str:
        return str(Rejection(self.reason).label)


@dataclass(frozen=True)
class CheckedRow:
    line: int
    cells: tuple[str, ...]
    lead: LeadRow | None = None
    rejection: RejectedRow | None = None


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    rejected: Counter = field(default_factory=Counter)
    sample: list[RejectedRow] = field(default_factory=list)
    columns: tuple[str, ...] = ()

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def summary(self) -> str:
        parts = [
            _("%(created)d contactos añadidos de %(rows)d filas")
            % {"created": self.created, "rows": self.rows}
        ]
        parts += [f"{reason.label}: {self.rejected[reason]}" for reason in Rejection if self.rejected[reason]]
        return "; ".join(parts) + "."


def _region(raw: str) -> str | None:
    """The autonomous-community code, "" when empty, None when unknown."""
    if not raw:
        return ""
    return REGION_ALIASES.get(slug(raw))


def check_row(columns: Columns, line: int, cells: list[str]) -> CheckedRow:
    """Validate one row on its own (number rules, region); DNC and duplicates are checked per batch."""
    padded = tuple(cells) + ("",) * (len(columns.names) - len(cells))
    raw_phone = padded[columns.phone]

    def rejected(reason: str, detail: str) -> CheckedRow:
        return CheckedRow(line, padded, rejection=RejectedRow(line, raw_phone, reason, detail, padded))

    if UNREADABLE in cells:
        return rejected(Rejection.INVALID, _("Fila ilegible (comillas sin cerrar o campo demasiado largo)."))
    if not raw_phone:
        return rejected(Rejection.INVALID, _("Fila sin número de teléfono."))
    try:
        phone = dialable_phone(raw_phone)
    except ValidationError as exc:
        return rejected(PHONE_ERROR_REASONS.get(str(exc.code), Rejection.INVALID), " ".join(exc.messages))
    region = _region(padded[columns.region]) if columns.region is not None else ""
    if region is None:
        return rejected(
            Rejection.INVALID,
            _("Comunidad autónoma desconocida: «%(region)s».") % {"region": padded[columns.region or 0]},
        )
    extra = {name: padded[index][:MAX_EXTRA_CHARS] for index, name in columns.extra}
    name = padded[columns.name] if columns.name is not None else ""
    return CheckedRow(line, padded, lead=LeadRow(phone=phone, customer_name=name, region=region, extra=extra))


class DoNotCallList:
    """The do-not-call numbers among a batch: from memory when the list is small (read once per
    import), else one indexed query per batch."""

    PRELOAD_MAX = 50_000

    def __init__(self) -> None:
        small = DoNotCallEntry.objects.count() <= self.PRELOAD_MAX
        self.numbers = set(DoNotCallEntry.objects.values_list("phone", flat=True)) if small else None

    def among(self, phones: set[str]) -> set[str]:
        if self.numbers is not None:
            return phones & self.numbers
        return set(DoNotCallEntry.objects.filter(phone__in=phones).values_list("phone", flat=True))


def _mark_batch(
    campaign_id: int,
    batch: list[CheckedRow],
    unwritten: frozenset[str] = frozenset(),
    do_not_call: DoNotCallList | None = None,
) -> list[CheckedRow]:
    """Reject, within a batch, numbers on the do-not-call list, already in the campaign or repeated.

    `unwritten`: phones of the previous batch, still being written, so not yet found by the query.
    """
    phones = {row.lead.phone for row in batch if row.lead}
    blocked = (do_not_call or DoNotCallList()).among(phones)
    present = set(
        Lead.objects.filter(campaign_id=campaign_id, phone__in=phones).values_list("phone", flat=True)
    )
    seen: set[str] = set(unwritten & phones)
    marked = []
    for row in batch:
        lead = row.lead
        if lead is None:
            marked.append(row)
            continue
        reason = detail = ""
        if lead.phone in blocked:
            reason, detail = Rejection.DO_NOT_CALL, _("%(number)s está en la lista de no llamar.")
        elif lead.phone in present or lead.phone in seen:
            reason, detail = Rejection.DUPLICATE, _("%(number)s ya está en la campaña.")
        seen.add(lead.phone)
        if reason:
            rejection = RejectedRow(row.line, lead.phone, reason, detail % {"number": lead.phone}, row.cells)
            row = CheckedRow(row.line, row.cells, rejection=rejection)
        marked.append(row)
    return marked


REPORT_HEADER = ("fila", "telefono", "motivo", "detalle")


def report_writer(report: IO[str], columns: Columns) -> Any:
    report.write("\ufeff")  # Excel opens accented text correctly with a BOM
    writer = csv.writer(report, delimiter=";")
    writer.writerow([*REPORT_HEADER, *columns.names])
    return writer


def _write_rejection(writer: Any, row: RejectedRow) -> None:
    writer.writerow([neutralize(v) for v in (row.line, row.phone, row.reason_label, row.detail, *row.cells)])


def _batches(table: LeadTable, size: int) -> Iterator[list[CheckedRow]]:
    checked = (check_row(table.columns, line, cells) for line, cells in table.rows)
    while batch := list(islice(checked, size)):
        yield batch


def leads_import(
    *, campaign_id: int, table: LeadTable, report: IO[str] | None = None, batch_size: int = BATCH_SIZE
) -> ImportResult:
    """Import a lead table into the campaign. Rejected rows go to `report` (CSV) and the result."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status == Campaign.Status.CANCELLED:
        raise ValidationError(
            _("La campaña «%(name)s» está cancelada: no admite contactos.") % {"name": campaign.name},
            code="invalid_status",
        )
    writer = report_writer(report, table.columns) if report is not None else None
    result = ImportResult(columns=table.columns.names)
    do_not_call = DoNotCallList()
    with BatchWriter(campaign_id=campaign_id) as batches:
        for batch in _batches(table, batch_size):
            batch = _mark_batch(campaign_id, batch, batches.unwritten_phones, do_not_call)
            batches.submit([row.lead for row in batch if row.lead])
            result.rows += len(batch)
            for row in batch:
                if row.rejection is None:
                    continue
                result.rejected[row.rejection.reason] += 1
                if len(result.sample) < SAMPLE_SIZE:
                    result.sample.append(row.rejection)
                if writer is not None:
                    _write_rejection(writer, row.rejection)
    result.created = batches.created
    # Numbers another import added between our check and the insert.
    if batches.duplicates:
        result.rejected[Rejection.DUPLICATE] += batches.duplicates
    return result


@dataclass
class Preview:
    columns: Columns
    headerless: bool
    rows: list[CheckedRow]


def leads_preview(*, table: LeadTable, limit: int = 20) -> Preview:
    """The first rows as they would be imported (without the campaign's duplicate check)."""
    rows = [check_row(table.columns, line, cells) for line, cells in islice(table.rows, limit)]
    phones = {row.lead.phone for row in rows if row.lead}
    blocked = set(DoNotCallEntry.objects.filter(phone__in=phones).values_list("phone", flat=True))
    checked = []
    for row in rows:
        if row.lead and row.lead.phone in blocked:
            detail = _("%(number)s está en la lista de no llamar.") % {"number": row.lead.phone}
            rejection = RejectedRow(row.line, row.lead.phone, Rejection.DO_NOT_CALL, detail, row.cells)
            row = CheckedRow(row.line, row.cells, rejection=rejection)
        checked.append(row)
    return Preview(columns=table.columns, headerless=table.headerless, rows=checked)
