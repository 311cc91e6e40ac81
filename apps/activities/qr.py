"""Check-in links and their QR codes.

A link carries a token signed with SECRET_KEY (django.core.signing.Signer, its own salt) that
names the activity, the activity's `qr_version` and an expiry time. It is accepted from an hour
before the start until the grace period after the end (and never after the expiry written in
it), and only while the version matches: staff can invalidate every printed or photographed
code at once by issuing a new one.
"""

import datetime as dt
import io
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core import signing
from django.utils import timezone

from .choices import CHECKIN_OPENS_BEFORE_MINUTES
from .models import Activity

SALT = "gongzhi.activities.checkin"

FORGED = "签到码无效：二维码不是本系统生成的，或已被改动。请扫描活动现场的二维码。"
EXPIRED = "签到码已过期，请扫描活动现场最新的二维码。"
REPLACED = "签到码已作废（工作人员已更换二维码），请扫描活动现场最新的二维码。"
CANCELLED = "该活动已取消，无需签到。"
UNKNOWN = "签到码对应的活动不存在。"


class CheckinTokenError(Exception):
    """A check-in token that cannot be used; the message says why, in plain Chinese."""


def grace() -> dt.timedelta:
    minutes = settings.ACTIVITIES_CHECKIN_GRACE_MINUTES
    return dt.timedelta(minutes=int(minutes))


def opens_at(activity: Activity) -> dt.datetime:
    return activity.start_at - dt.timedelta(minutes=CHECKIN_OPENS_BEFORE_MINUTES)


def closes_at(activity: Activity) -> dt.datetime:
    return activity.end_at + grace()


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make_token(activity: Activity) -> str:
    """`<id>.<version>.<expiry>:<signature>`: short, so the QR code stays coarse enough to
    scan from a few steps away."""
    expires = int(closes_at(activity).timestamp())
    return _signer().sign(f"{activity.pk}.{activity.qr_version}.{expires}")


@dataclass(frozen=True)
class Checked:
    activity: Activity
    not_open_yet: bool


def read_token(token: str, *, now: dt.datetime | None = None) -> Checked:
    """The activity a token admits to, or CheckinTokenError with the reason."""
    now = now or timezone.now()
    try:
        activity_id, version, expires = (int(p) for p in _signer().unsign(token).split("."))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise CheckinTokenError(FORGED) from exc
    activity = Activity.objects.select_related("place").filter(pk=activity_id).first()
    if activity is None:
        raise CheckinTokenError(UNKNOWN)
    if version != activity.qr_version:
        raise CheckinTokenError(REPLACED)
    if activity.cancelled:
        raise CheckinTokenError(CANCELLED)
    if now.timestamp() > expires or now > closes_at(activity):
        raise CheckinTokenError(EXPIRED)
    return Checked(activity, not_open_yet=now < opens_at(activity))


def qr_image(url: str, kind: str = "svg") -> bytes:
    """The QR code of `url` as SVG or PNG (error correction M: survives a smudged print-out)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if kind == "png":
        code.save(out, kind="png", scale=10, border=2)
    else:
        code.save(out, kind="svg", scale=10, border=2, title="活动签到码")
    return out.getvalue()
