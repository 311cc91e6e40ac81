"""The form → action → refusal flow of every app's views, and the words a refused action shows.

A view that runs an action calls `run_action`: the action runs; if it refuses (ValidationError
or PermissionDenied), the user sees the reason in Chinese on the page they posted from, with
what they typed still in the form, and the response is 422 — the same rule in every app.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseRedirectBase

T = TypeVar("T")

REFUSED_STATUS = 422


class Refusal(Exception):
    """An app's own refusal (the case engine's errors): a `message` in Chinese, refused like a
    ValidationError by `run_action`."""

    message: str = ""


REFUSALS = (ValidationError, PermissionDenied, Refusal)


def said(request: HttpRequest, text: str, response: HttpResponse) -> HttpResponse:
    """`response`, with `text` shown (a success message) on the page it leads to."""
    messages.success(request, text)
    return response


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
    """Show why an action was refused on the page this response renders (or the next one)."""
    messages.error(request, refusal_text(exc))


def errors_beside_fields(form: Any, exc: ValidationError, renamed: Mapping[str, str]) -> None:
    """A ValidationError keyed by field, shown beside the form's fields (`renamed` maps a model
    field to the form field that sets it); keys the form lacks go above the form."""
    for name, errors in exc.message_dict.items():
        field = renamed.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


def take_refusal(request: HttpRequest) -> str:
    """The refusal `run_action` just queued, taken off the page's messages, for an htmx part
    that shows it inside itself (the part is swapped in; no full page shows the messages)."""
    storage = messages.get_messages(request)
    return "；".join(m.message for m in storage if m.level == messages.ERROR)


def run_action(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    done: Callable[[T], HttpResponse],
    refused: Callable[[], HttpResponse],
    form: Any = None,
    renamed: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Run `action`; on success return `done(result)`.

    On a refusal `refused()` builds the response: normally the page the user posted from,
    rendered again with the bound form (so what they typed stays), which is answered 422. A
    button with nothing typed may instead go back with a redirect; a redirect is kept as it is,
    since there is no input to lose. The reason is shown beside the fields when the action
    names them and `form` is given, and above the page otherwise.
    """
    try:
        result = action()
    except REFUSALS as exc:
        if form is not None and isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            errors_beside_fields(form, exc, renamed or {})
        else:
            flash_refusal(request, exc)
        response = refused()
        if not isinstance(response, HttpResponseRedirectBase):
            response.status_code = REFUSED_STATUS
        return response
    return done(result)


def run_form(
    request: HttpRequest,
    form: Any,
    action: Callable[[], T],
    *,
    done: Callable[[T], HttpResponse],
    page: Callable[[], HttpResponse],
    beside_fields: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The whole flow behind a bound `form`: an invalid form shows `page()` (the page with the
    form and its errors) answered 422 and runs nothing; a valid one runs `action` through
    `run_action`, `done(result)` on success and `page()` again on a refusal. With
    `beside_fields` (a model field → form field map, possibly empty) the action's field errors
    go beside the form's fields; otherwise every refusal is shown above the page."""
    if not form.is_valid():
        response = page()
        response.status_code = REFUSED_STATUS
        return response
    if beside_fields is None:
        return run_action(request, action, done=done, refused=page)
    return run_action(request, action, done=done, refused=page, form=form, renamed=beside_fields)
