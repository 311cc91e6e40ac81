"""/api/v1/brands."""

from ninja import Router

router = Router(tags=["brands 服务品牌"])
