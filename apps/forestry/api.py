"""/api/v1/forest: start a patrol, send point batches (idempotent by batch key, kept on the
phone until answered), pause/resume/finish, read a patrol measured on the server."""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from apps.accounts.requests import AuthedRequest
from apps.places.api import action_errors
from apps.places.schemas import ErrorOut

from . import actions, selectors
from .models import Patrol

router = Router(tags=["forest 林长制"])


class PointsIn(Schema):
    key: str
    points: list[Any]


class PointsOut(Schema):
    received: int
    stored: bool


class PatrolOut(Schema):
    id: int
    zone_id: int
    status: str
    distance_m: float
    duration_s: float
    coverage: float
    points: int
    dropped: int
    track: list[Any]


def _patrol(request: AuthedRequest, patrol_id: int) -> Patrol:
    return get_object_or_404(selectors.patrols(request.user), pk=patrol_id)


@router.post("/zones/{int:zone_id}/patrols", response={201: PatrolOut, 403: ErrorOut})
def start(request: AuthedRequest, zone_id: int) -> Any:
    zone = get_object_or_404(selectors.zones(request.user), pk=zone_id)
    with action_errors():
        return 201, actions.do_start_patrol(zone, actor=request.user)


@router.post("/patrols/{int:patrol_id}/points", response={200: PointsOut, 403: ErrorOut})
def points(request: AuthedRequest, patrol_id: int, body: PointsIn) -> Any:
    """One batch of fixes [[t, lat, lng, accuracy], …] (t in seconds or milliseconds). Sent
    again with the same key (the answer was lost) it is stored once."""
    patrol = _patrol(request, patrol_id)
    with action_errors():
        received, stored = actions.do_add_points(
            patrol, body.points, key=body.key, actor=request.user
        )
    return {"received": received, "stored": stored}


@router.get("/patrols/{int:patrol_id}", response=PatrolOut)
def get_patrol(request: AuthedRequest, patrol_id: int) -> Any:
    """The patrol measured now from every batch received (distance, duration, coverage)."""
    patrol = _patrol(request, patrol_id)
    if patrol.status != "finished":
        actions.measure(patrol)
    return patrol


@router.post("/patrols/{int:patrol_id}/pause", response={200: PatrolOut, 403: ErrorOut})
def pause(request: AuthedRequest, patrol_id: int) -> Any:
    with action_errors():
        return actions.do_pause_patrol(_patrol(request, patrol_id), actor=request.user)


@router.post("/patrols/{int:patrol_id}/resume", response={200: PatrolOut, 403: ErrorOut})
def resume(request: AuthedRequest, patrol_id: int) -> Any:
    with action_errors():
        return actions.do_resume_patrol(_patrol(request, patrol_id), actor=request.user)


@router.post("/patrols/{int:patrol_id}/finish", response={200: PatrolOut, 403: ErrorOut})
def finish(request: AuthedRequest, patrol_id: int) -> Any:
    with action_errors():
        return actions.do_finish_patrol(_patrol(request, patrol_id), actor=request.user)
