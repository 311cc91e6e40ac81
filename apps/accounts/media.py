"""Who asks for an uploaded file: the account behind a request to `/media/…`. The apps' photo
rules (`cases.media`, `visits.media`, `activities.media`) ask it; the view that serves the file
(`apps.core.media.serve`) knows nothing of accounts."""

from typing import Any

from django.http import HttpRequest

from .apikeys import key_from_request, user_for_key


def staff_user(request: HttpRequest) -> Any:
    """The signed-in user, else the account of an API key sent in a header (`X-API-Key` or
    `Authorization: Bearer`, never in the URL: an Open311 client fetching a `media_url`), else
    None (an anonymous visitor)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return user_for_key(key_from_request(request))
