"""Photos for the demo county, so that a newcomer sees pictures on cases, visits and patrols.

The pictures are generated (Pillow): a simple coloured scene per kind of matter with a Chinese
caption in Noto Sans CJK when the font is installed (without it, the scene alone). Nine scenes,
each a 640×480 JPEG of about 20 KB plus its 320×240 thumbnail, are written once under
`cases/demo/` and `visits/demo/` in MEDIA_ROOT (kept if already there) and shared by the
records that show them: a few dozen case photos (the resident's photo at the report, a
“整改完成” photo on the resolution when the case was resolved), household-visit photos and
patrol photos. They are served like any upload, through the records' scope rule
(apps/core/media.py).
"""

import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Min
from PIL import Image, ImageDraw, ImageFont

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.cases.choices import Action
from apps.cases.models import Case, CaseAttachment, CaseEvent
from apps.places.models import Place, subtree_q
from apps.visits.choices import VisitKind
from apps.visits.models import VisitPhoto, VisitRecord

Say = Callable[[str], None]

SIZE = (640, 480)
THUMB = (320, 240)
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)

# key, caption, words of the category names it illustrates, sky colour, ground colour
SCENES: tuple[tuple[str, str, tuple[str, ...], tuple[int, int, int], tuple[int, int, int]], ...] = (
    ("light", "楼道照明", ("灯", "照明", "电"), (38, 44, 78), (92, 84, 70)),
    ("fire", "消防通道", ("消防", "安全", "隐患", "燃气"), (120, 52, 44), (90, 90, 90)),
    ("waste", "环境卫生", ("垃圾", "环境", "卫生", "噪音", "油烟"), (96, 140, 170), (120, 110, 80)),
    ("road", "道路设施", ("道路", "井盖", "交通", "市政", "停车"), (140, 170, 200), (70, 70, 74)),
    ("water", "供水管道", ("水", "管道", "维修", "物业"), (60, 110, 150), (150, 150, 140)),
    ("green", "绿化养护", ("绿化", "园林", "树"), (130, 180, 220), (70, 130, 70)),
    ("visit", "入户走访", (), (200, 170, 130), (150, 110, 80)),
    ("patrol", "网格巡查", (), (110, 150, 200), (100, 104, 110)),
    ("done", "整改完成", (), (120, 190, 230), (60, 140, 100)),
)
PATROL_KINDS = (VisitKind.GRID_PATROL, VisitKind.HAZARD, VisitKind.SAFETY)
SHARE = {"tiny": (12, 8, 8), "small": (30, 15, 15)}  # cases, visits, patrols; larger: 40/20/20


def _font(size: int) -> Any:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def render(key: str, caption: str, sky: tuple[int, ...], ground: tuple[int, ...]) -> bytes:
    """One scene: a sky, buildings with lit windows, the ground, a caption bar."""
    rng = random.Random(key)
    image = Image.new("RGB", SIZE, sky)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    horizon = int(height * 0.68)
    for y in range(horizon):  # a soft vertical gradient
        shade = tuple(min(255, c + y * 60 // horizon) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    x = 10
    while x < width - 40:
        w, h = rng.randint(70, 130), rng.randint(140, 280)
        wall = tuple(rng.randint(150, 215) for _ in range(3))
        draw.rectangle([x, horizon - h, x + w, horizon], fill=wall, outline=(60, 60, 60))
        for wy in range(horizon - h + 14, horizon - 24, 30):
            for wx in range(x + 10, x + w - 20, 26):
                lit = (250, 224, 130) if rng.random() < 0.4 else (90, 110, 130)
                draw.rectangle([wx, wy, wx + 14, wy + 16], fill=lit)
        x += w + rng.randint(8, 30)
    draw.rectangle([0, horizon, width, height], fill=ground)
    draw.ellipse([width - 110, 30, width - 50, 90], fill=(255, 236, 160))
    font = _font(34)
    if font is not None:
        draw.rectangle([0, height - 64, width, height], fill=(20, 24, 32))
        draw.text((22, height - 56), f"{caption} · 演示照片", fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70, optimize=True)
    return out.getvalue()


def _thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
    small.thumbnail(THUMB)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=75)
    return out.getvalue()


def scene_files(folder: str) -> dict[str, tuple[str, str, int]]:
    """key → (file name, thumbnail name, size in bytes), written once under `folder/demo/`."""
    files = {}
    for key, caption, _words, sky, ground in SCENES:
        name, thumb = f"{folder}/demo/{key}.jpg", f"{folder}/demo/{key}-thumb.jpg"
        if not default_storage.exists(name):
            data = render(key, caption, sky, ground)
            name = default_storage.save(name, ContentFile(data))
            thumb = default_storage.save(thumb, ContentFile(_thumbnail(data)))
        elif not default_storage.exists(thumb):
            with default_storage.open(name, "rb") as stored:
                thumb = default_storage.save(thumb, ContentFile(_thumbnail(stored.read())))
        files[key] = (name, thumb, default_storage.size(name))
    return files


def scene_for(category_name: str) -> str:
    for key, _caption, words, _sky, _ground in SCENES:
        if any(word in category_name for word in words):
            return key
    return "road"


def _first_community(county: Place) -> Place:
    """The community of the first community account (community01, the login the README
    names), so that a newcomer who signs in with it sees pictures at once."""
    staff = (
        User.objects.filter(role=Role.COMMUNITY_STAFF, scope__isnull=False)
        .filter(subtree_q(county, "scope"))
        .order_by("id")
        .first()
    )
    return staff.scope if staff is not None and staff.scope is not None else county


def _half_at_home(rng: random.Random, everywhere: list, at_home: list, count: int) -> list:
    """`count` rows: up to half from the home community, the rest from the whole county."""
    first = rng.sample(at_home, min(count // 2, len(at_home)))
    taken = set(first)
    rest = [row for row in everywhere if row not in taken]
    return first + rng.sample(rest, min(count - len(first), len(rest)))


def add_photos(county: Place, size: str, seed: int, say: Say) -> dict[str, int]:
    """Attach the demo pictures to some cases, visits and patrols; their counts."""
    say("演示照片…")
    rng = random.Random(f"{seed}/photos")
    n_cases, n_visits, n_patrols = SHARE.get(size, (40, 20, 20))
    case_files, visit_files = scene_files("cases"), scene_files("visits")
    width, height = SIZE

    def attachment(case_id: int, event_id: int | None, key: str, by: Any) -> CaseAttachment:
        name, thumb, nbytes = case_files[key]
        return CaseAttachment(
            case_id=case_id,
            event_id=event_id,
            file=name,
            thumbnail=thumb,
            content_type="image/jpeg",
            size=nbytes,
            width=width,
            height=height,
            uploaded_by_id=by,
        )

    home = _first_community(county)
    cases = list(
        Case.objects.filter(subtree_q(county)).order_by("id").values_list("id", "category__name")
    )
    at_home = list(
        Case.objects.filter(subtree_q(home)).order_by("id").values_list("id", "category__name")
    )
    chosen = _half_at_home(rng, cases, at_home, n_cases)
    ids = [case_id for case_id, _ in chosen]
    first = dict(
        CaseEvent.objects.filter(case_id__in=ids)
        .values("case_id")
        .annotate(first=Min("id"))
        .values_list("case_id", "first")
    )
    resolved = {
        e["case_id"]: e
        for e in CaseEvent.objects.filter(case_id__in=ids, action=Action.RESOLVE)
        .order_by("id")
        .values("case_id", "id", "actor_id")
    }
    rows = []
    for case_id, category in chosen:
        rows.append(attachment(case_id, first.get(case_id), scene_for(category or ""), None))
        if case_id in resolved:
            event = resolved[case_id]
            rows.append(attachment(case_id, event["id"], "done", event["actor_id"]))
    CaseAttachment.objects.bulk_create(rows)

    def visit_photos(kinds: tuple[str, ...], count: int, key: str) -> list[VisitPhoto]:
        def reached_in(area: Place) -> list[tuple[int, Any]]:
            return list(
                VisitRecord.objects.filter(
                    subtree_q(area, "task__place"), task__plan__kind__in=kinds, reached=True
                )
                .order_by("id")
                .values_list("id", "visitor_id")
            )

        photos = []
        for record_id, visitor_id in _half_at_home(
            rng, reached_in(county), reached_in(home), count
        ):
            name, thumb, nbytes = visit_files[key]
            photos.append(
                VisitPhoto(
                    record_id=record_id,
                    file=name,
                    thumbnail=thumb,
                    content_type="image/jpeg",
                    size=nbytes,
                    width=width,
                    height=height,
                    uploaded_by_id=visitor_id,
                )
            )
        return photos

    visits = visit_photos((VisitKind.HOUSEHOLD,), n_visits, "visit")
    patrols = visit_photos(PATROL_KINDS, n_patrols, "patrol")
    VisitPhoto.objects.bulk_create(visits + patrols)
    return {"photos_cases": len(rows), "photos_visits": len(visits), "photos_patrols": len(patrols)}
