from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)


def ensure_editable(data: Mapping[str, Any], editable: Iterable[str]) -> None:
    unknown = set(data) - set(editable)
    if unknown:
        raise ValidationError(_("Campos no editables: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def model_update(*, instance: M, data: Mapping[str, Any], editable: Iterable[str]) -> M:
    """Set the given editable fields, validate the whole instance and save it."""
    ensure_editable(data, editable)
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    return instance
