"""API shapes shared by every router. One class per name: the OpenAPI document names its
components by class name, so two `ErrorOut`s made 39 operations document the wrong body."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """A refusal: {"detail": "中文说明"} (for a 422, a list of field errors)."""

    detail: str | list[dict[str, Any]]


class CodedErrorOut(Schema):
    """A refusal with a machine-readable code: {"code": "…", "message": "中文说明"}."""

    code: str
    message: str
