"""The words a page shows when an action refuses: one rule for every app's views."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def refusal_text(exc: Exception) -> str:
    """A refused action's reason in plain Chinese: a ValidationError's messages joined, an
    engine error's `message` (the case engine's errors carry one), or the exception's text."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(exc) or "无权执行该操作"


def form_error_text(form: Any) -> str:
    """Every error of a bound form, joined, for a message above the page."""
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


def flash_refusal(request: HttpRequest, exc: Exception) -> None:
    """Show why an action was refused on the next page."""
    messages.error(request, refusal_text(exc))
