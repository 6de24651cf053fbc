"""The dispatch metadata a job receives: which survey, call and agent it is for.

The dialer writes it as JSON when it dispatches the agent. The job trusts nothing else (not the
room name): anything missing or malformed refuses the job.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext as _


class MetadataError(ValueError):
    pass


@dataclass(frozen=True)
class JobMetadata:
    encuesta_id: int
    voice_agent_id: int
    call_id: int | None = None
    nombre_cliente: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def _positive_id(data: dict[str, Any], key: str, *, required: bool) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise MetadataError(_("Falta «%(key)s» en los metadatos.") % {"key": key})
        return None
    # JSON producers differ on whether ids are numbers or digit strings; both are exact.
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise MetadataError(
            _("«%(key)s» debe ser un id entero positivo (recibido: %(value)r).")
            % {"key": key, "value": value}
        )
    return value


def parse_metadata(raw: str | None, *, require_call: bool = True) -> JobMetadata:
    """Parse and validate ``ctx.job.metadata``; raise MetadataError saying what is wrong.

    ``require_call`` is False only for the console, which simulates a survey without a Call.
    """
    if not raw or not raw.strip():
        raise MetadataError(_("El trabajo no trae metadatos."))
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MetadataError(_("Los metadatos no son JSON válido: %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise MetadataError(_("Los metadatos deben ser un objeto JSON."))

    nombre = data.get("nombre_cliente") or ""
    if not isinstance(nombre, str):
        raise MetadataError(_("«nombre_cliente» debe ser texto."))
    return JobMetadata(
        encuesta_id=_positive_id(data, "encuesta_id", required=True),  # type: ignore[arg-type]
        voice_agent_id=_positive_id(data, "voice_agent_id", required=True),  # type: ignore[arg-type]
        call_id=_positive_id(data, "call_id", required=require_call),
        nombre_cliente=nombre.strip(),
    )
