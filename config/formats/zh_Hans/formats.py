"""Input formats for the Chinese locale: ISO first, because a date widget renders its value
with the first one and <input type="date"> accepts only yyyy-mm-dd (Django's zh_Hans puts
yyyy/mm/dd first, and the browser then shows an empty field)."""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
]
