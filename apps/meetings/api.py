"""/api/v1/meetings."""

from ninja import Router

router = Router(tags=["会议 meetings"])
