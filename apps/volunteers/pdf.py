"""The service certificate (志愿服务证明) as PDF, with the CJK font embedded.

WeasyPrint (already used for ECG reports) renders the template; fontconfig finds Debian's
Noto Sans/Serif CJK and WeasyPrint embeds the subset it uses, so the PDF reads the same on a
machine without Chinese fonts. The verification code is an HMAC (under SECRET_KEY) of the
volunteer, the period and the approved hours: anyone holding the paper can have the issuing
community recompute it (`verification_code`)."""

import datetime as dt
import hashlib
import hmac
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Volunteer
from .selectors import approved_hours, community_of, star_level, star_name


def verification_code(volunteer: Volunteer, start: dt.date, end: dt.date, hours: Decimal) -> str:
    message = f"{volunteer.pk}|{start:%Y%m%d}|{end:%Y%m%d}|{hours}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()


def certificate_context(volunteer: Volunteer, start: dt.date, end: dt.date) -> dict[str, Any]:
    hours = approved_hours(volunteer, start, end)
    total = approved_hours(volunteer)
    place = volunteer.person.place
    community = community_of(place) or place
    return {
        "volunteer": volunteer,
        "hours": hours,
        "total": total,
        "star": star_name(star_level(total)),
        "start": start,
        "end": end,
        "community": community,
        "issued_on": timezone.localdate(),
        "code": verification_code(volunteer, start, end, hours),
    }


def certificate_pdf(volunteer: Volunteer, start: dt.date, end: dt.date) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "volunteers/certificate_pdf.html", certificate_context(volunteer, start, end)
    )
    return bytes(HTML(string=html).write_pdf())
