"""Reading a GPX file (a ranger's GPS unit) into fixes, with defusedxml (no entity tricks).

Errors are Chinese and name the problem (the line of the XML error, the number of the point
without a time …); nothing is written until the whole file has been read.
"""

import datetime as dt
import math
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError

MAX_BYTES = 20 * 1024 * 1024
MAX_POINTS = 200_000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _time(text: str | None, n: int) -> float:
    if not text:
        raise ValidationError(f"GPX 文件第{n}个轨迹点没有时间（<time>），无法计算速度和时长")
    value = text.strip().replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"GPX 文件第{n}个轨迹点的时间“{text.strip()}”无法识别") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # GPX times are UTC
    return when.timestamp()


def read(upload: Any) -> list[list[float]]:
    """[[t, lat, lng, 0], …] of every <trkpt> (and <rtept> with times), in time order."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_BYTES:
        raise ValidationError(f"GPX 文件过大（{size // 1048576} MB），最大 20 MB")
    data = upload.read()
    if not data.strip():
        raise ValidationError("GPX 文件是空的")
    try:
        root = ElementTree.fromstring(data)
    except DefusedXmlException:
        raise ValidationError("GPX 文件含有不允许的 XML 实体或声明，已拒收") from None
    except ElementTree.ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        where = f"第{line}行" if line else ""
        raise ValidationError(
            f"GPX 文件不是有效的 XML（{where}格式错误），请检查文件是否完整"
        ) from None
    if _local(root.tag) != "gpx":
        raise ValidationError(f"这不是 GPX 文件：根元素是 <{_local(root.tag)}>，应为 <gpx>")
    fixes: list[list[float]] = []
    n = 0
    for element in root.iter():
        if _local(element.tag) not in ("trkpt", "rtept"):
            continue
        n += 1
        try:
            lat, lng = float(element.get("lat", "")), float(element.get("lon", ""))
        except ValueError:
            raise ValidationError(f"GPX 文件第{n}个轨迹点缺少或写错了经纬度（lat/lon）") from None
        if not (math.isfinite(lat) and math.isfinite(lng)) or not (
            -90 <= lat <= 90 and -180 <= lng <= 180
        ):
            raise ValidationError(f"GPX 文件第{n}个轨迹点的经纬度超出范围：{lat}, {lng}")
        when = next((c.text for c in element if _local(c.tag) == "time"), None)
        fixes.append([_time(when, n), lat, lng, 0.0])
        if n > MAX_POINTS:
            raise ValidationError(f"GPX 文件的轨迹点超过{MAX_POINTS}个，请按天分开上传")
    if len(fixes) < 2:
        raise ValidationError("GPX 文件里没有轨迹点（<trkpt>），至少需要两个带时间的点")
    fixes.sort(key=lambda f: f[0])
    return fixes
