"""Reading lead tables: CSV (`;` or `,`, UTF-8 or Windows-1252) or XLSX, streamed row by row.

A table is its normalised column names plus an iterator of (line number, cells). Structural problems
(empty, not a table, no phone column) raise a ValidationError before any row is read, so callers can
refuse the whole file before writing anything.
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHONE_HEADERS = frozenset(
    {"telefono", "phone", "phone_number", "numero", "numero_telefono", "telefono_movil", "movil", "mobile"}
    | {"tel", "telephone", "celular", "msisdn", "phonenumber", "to", "to_number"}
)
NAME_HEADERS = frozenset({"nombre", "name", "customer_name", "nombre_cliente", "cliente", "customer"})
REGION_HEADERS = frozenset({"region", "comunidad", "comunidad_autonoma", "ccaa", "autonomia"})
SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
MAX_FIELD_CHARS = 10_000
UNREADABLE = "\x00"  # a row the CSV parser could not read; rejected as invalid
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


def slug(value: Any) -> str:
    """ "Teléfono Móvil" -> "telefono_movil": the key an extra column is stored (and templated) under."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass(frozen=True)
class Columns:
    """Where the phone, name and region are, and the other columns kept as extra fields."""

    names: tuple[str, ...]
    phone: int
    name: int | None
    region: int | None

    @property
    def extra(self) -> list[tuple[int, str]]:
        special = {self.phone, self.name, self.region}
        return [(i, n) for i, n in enumerate(self.names) if i not in special]


@dataclass
class LeadTable:
    columns: Columns
    rows: Iterator[tuple[int, list[str]]]
    headerless: bool = False


def _unique_names(header: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for index, raw in enumerate(header):
        base = slug(raw) or f"columna_{index + 1}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return tuple(names)


def _find(names: tuple[str, ...], wanted: frozenset[str]) -> int | None:
    return next((i for i, name in enumerate(names) if name in wanted), None)


def _looks_like_phone(cell: str) -> bool:
    digits = re.sub(r"[\s().-]", "", cell)
    return bool(re.fullmatch(r"\+?\d{6,16}", digits))


def columns_for(header: list[str]) -> tuple[Columns, bool]:
    """Map a header row; a first row that is itself a phone means the file has no header."""
    names = _unique_names(header)
    phone = _find(names, PHONE_HEADERS)
    if phone is not None:
        return Columns(names, phone, _find(names, NAME_HEADERS), _find(names, REGION_HEADERS)), False
    if header and _looks_like_phone(str(header[0])):
        generic = ("telefono", "nombre", *(f"columna_{i + 1}" for i in range(2, len(header))))
        return Columns(generic[: max(len(header), 1)], 0, 1 if len(header) > 1 else None, None), True
    raise ValidationError(
        _(
            "No se encuentra la columna del teléfono. Cabeceras aceptadas: telefono, phone_number, movil… "
            "(columnas leídas: %(columns)s)."
        )
        % {"columns": ", ".join(str(h) for h in header[:20]) or "—"},
        code="no_phone_column",
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _table(header: list[str], rows: Iterator[tuple[int, list[str]]], first_line: int) -> LeadTable:
    columns, headerless = columns_for(header)
    if headerless:
        rows = _chain_first((first_line, header), rows)
    return LeadTable(columns=columns, rows=rows, headerless=headerless)


def _chain_first(first: tuple[int, list[str]], rest: Iterator[tuple[int, list[str]]]):
    yield first
    yield from rest


def _detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 when the whole file decodes as such (checked chunk by chunk), else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(reader: Any, start: int) -> Iterator[tuple[int, list[str]]]:
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield start + reader.line_num, [UNREADABLE]
            continue
        line = start + reader.line_num
        if any(cell.strip() for cell in cells):
            yield line, [cell.strip()[:MAX_FIELD_CHARS] for cell in cells]


def read_csv(stream: IO[bytes]) -> LeadTable:
    encoding = _detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first, first_line = "", 0
    for first_line, line in enumerate(text, start=1):  # noqa: B007
        if line.strip():
            first = line
            break
    if not first:
        raise ValidationError(_("El fichero está vacío."), code="empty_file")
    delimiter = _delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    reader = csv.reader(text, delimiter=delimiter)
    return _table([h.strip() for h in header], _csv_rows(reader, first_line), first_line)


def read_xlsx(stream: IO[bytes]) -> LeadTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(
            _("El fichero XLSX está dañado o no es una hoja de cálculo: %(error)s") % {"error": exc},
            code="bad_xlsx",
        ) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    rows = (
        (line, [_cell(v) for v in values])
        for line, values in enumerate(sheet.iter_rows(values_only=True) if sheet else (), start=1)
    )
    nonblank = ((line, cells) for line, cells in rows if any(cells))
    first = next(nonblank, None)
    if first is None:
        workbook.close()
        raise ValidationError(_("La hoja de cálculo está vacía."), code="empty_file")
    return _table(first[1], nonblank, first[0])


def read_lead_file(stream: IO[bytes]) -> LeadTable:
    """Open an uploaded CSV or XLSX (seekable binary stream) as a lead table."""
    stream.seek(0)
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if not sample.strip():
        raise ValidationError(_("El fichero está vacío."), code="empty_file")
    if sample.startswith(XLSX_MAGIC):
        return read_xlsx(stream)
    if sample.startswith(OLE_MAGIC):
        raise ValidationError(
            _("Los ficheros .xls antiguos no se admiten: guárdelo como XLSX o CSV."), code="xls_not_supported"
        )
    if b"\x00" in sample:
        raise ValidationError(
            _("El fichero no es un CSV ni un XLSX (contiene datos binarios)."), code="not_a_table"
        )
    return read_csv(stream)


def table_from_records(records: Iterable[Mapping[str, Any]]) -> LeadTable:
    """JSON leads ({"phone_number", "customer_name", ...}) as a table with the same column rules."""
    items = list(records)
    keys: list[str] = []
    for record in items:
        keys.extend(k for k in record if k not in keys)
    columns, _headerless = columns_for(keys or ["phone_number"])
    rows = ((i, [_cell(record.get(k)) for k in keys]) for i, record in enumerate(items, start=1))
    return LeadTable(columns=columns, rows=rows)
