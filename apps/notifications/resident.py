"""Text messages to residents, who have no account: the reporter of a case hears when it is
accepted and when it is resolved, with the link to follow it (the tracking page).

The phone travels encrypted (the case's own ciphertext) through the task queue and is decrypted
only here, just before the gateway. The SMS channel is the one that covers the case's place,
the deepest first (a community's gateway before the county's), like staff SMS. A resident's
message has no inbox row and no delivery row (both belong to an account): a failure is logged,
not retried.
"""

import logging

from apps.core import crypto
from apps.places.models import Place

from .choices import ChannelKind
from .httpclient import SendError
from .models import Channel
from .routing import depth
from .transports import Message, absolute_url, send

log = logging.getLogger("gongzhi.notifications")
RESIDENT_KIND = "case.resident"


def sms_channel_for(place: Place | None, kind: str = RESIDENT_KIND) -> Channel | None:
    """The enabled SMS channel nearest above `place` (or the county-wide one) for `kind`."""
    channels = Channel.objects.filter(kind=ChannelKind.SMS, enabled=True).select_related("place")
    path = place.path if place is not None else ""
    covering = [
        c
        for c in channels
        if c.accepts(kind) and (c.place_id is None or path.startswith(c.place.path))
    ]
    return max(covering, key=depth, default=None)


def send_resident_sms(place_id: int, phone_enc: str, text: str, url: str = "") -> str:
    """Send `text` and the link `url` to the encrypted phone; returns what happened."""
    phone = crypto.decrypt(phone_enc)
    if not phone:
        return "no-phone"
    channel = sms_channel_for(Place.objects.filter(pk=place_id).first())
    if channel is None:
        log.info("no SMS channel covers place %s: resident message not sent", place_id)
        return "no-channel"
    link = absolute_url(url)
    # Without the site's address (GONGZHI_SITE_URL) a path alone is no link on a phone.
    more = (
        f"查看进度：{link}" if "://" in link else "可凭事项编号和电话后四位在居民办事页面查询进度。"
    )
    message = Message(title="事项进展", body=text + more, phone=phone, kind=RESIDENT_KIND)
    try:
        send(channel, message)
    except SendError as exc:
        log.warning("resident SMS via %s failed: %s", channel, exc)
        return "failed"
    return "sent"
