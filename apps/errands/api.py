"""/api/v1/errands."""

from ninja import Router

router = Router(tags=["errands 帮办"])
