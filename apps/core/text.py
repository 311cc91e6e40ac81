"""Chinese text helpers shared by search and imports."""

from pypinyin import Style, lazy_pinyin


def pinyin_initials(name: str) -> str:
    """张三丰 -> zsf: what clerks type to find a person quickly."""
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()[:32]
