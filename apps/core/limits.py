"""Text too long for its column is refused on every engine (ADR 0006: nothing relies on one
engine's leniency). PostgreSQL raised a DataError (a 500) for a case title over 100 characters
while SQLite stored 1,000; now both refuse before the INSERT with a Chinese message, which the
API answers as a 422 and a form shows beside the field.

A `pre_save` receiver for every model: the rule is about columns, not about any one domain, so
it lives once here rather than in each action. Bulk writes (bulk_create, the ledger importer's
FastInsert) do not send the signal and are outside this rule.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


def too_long(instance: models.Model) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField) or not field.max_length:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and len(value) > field.max_length:
            errors[field.name] = [
                f"{field.verbose_name}最多{field.max_length}个字符（现为{len(value)}个）"
            ]
    return errors


def refuse_too_long(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loaddata: fixtures are trusted as they are
        return
    errors = too_long(instance)
    if errors:
        raise ValidationError(errors)
