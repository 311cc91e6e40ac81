"""/api/v1/care."""

from ninja import Router

router = Router(tags=["care 结对关爱"])
