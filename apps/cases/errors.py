"""Errors of the case engine, each with a stable code (for the API) and a Chinese message."""

from django.core.exceptions import PermissionDenied

from apps.core.refusals import Refusal


class CaseError(Refusal):
    code = "case_error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(CaseError):
    """The action cannot start from the case's current status."""

    code = "illegal_transition"
    status = 400


class InvalidTransitionData(CaseError):
    """A required note or datum is missing or wrong."""

    code = "invalid"
    status = 422


class TransitionConflict(CaseError):
    """Somebody else changed the case between reading and writing it (e.g. a lost 抢单)."""

    code = "conflict"
    status = 409


class NotAllowed(CaseError, PermissionDenied):
    """The actor's role or scope does not allow the action on this case."""

    code = "not_allowed"
    status = 403
