"""Chinese text of cases as comparable sets: segmentation with jieba, stop words out.

A case's features are its jieba words of two characters or more plus its single Han
characters: jieba glues "灯坏" or "又坏了" differently from one report to the next, and the
characters keep "楼道灯坏了" and "3栋楼道的灯又坏了" close. Features are computed once at
intake (`Case.tokens`) and compared as sets (weighted Jaccard: words count twice as much as
characters), so duplicate and hot-issue checks never segment again.

jieba ships its dictionary inside the package and builds its prefix cache on first use (about
a second, then cached in the temp directory); nothing is downloaded.
"""

import logging
import math
import re
import threading
from collections.abc import Iterable

_lock = threading.Lock()
_ready = False

# Function words and report boilerplate that say nothing about the matter.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "着",
        "过",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "有",
        "没",
        "没有",
        "不",
        "也",
        "都",
        "就",
        "还",
        "又",
        "很",
        "太",
        "非常",
        "已经",
        "一直",
        "一下",
        "一些",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "大家",
        "自己",
        "这",
        "那",
        "这个",
        "那个",
        "这里",
        "那里",
        "哪里",
        "什么",
        "怎么",
        "怎么办",
        "请",
        "请求",
        "希望",
        "麻烦",
        "帮忙",
        "帮助",
        "能否",
        "能不能",
        "可以",
        "需要",
        "反映",
        "反应",
        "问题",
        "情况",
        "处理",
        "解决",
        "尽快",
        "一",
        "二",
        "三",
        "个",
        "件",
        "次",
        "些",
        "把",
        "被",
        "让",
        "给",
        "对",
        "向",
        "从",
        "到",
        "于",
        "为",
        "以",
        "而",
        "但",
        "但是",
        "因为",
        "所以",
        "如果",
        "然后",
        "现在",
        "今天",
        "昨天",
        "最近",
        "一个",
        "好几",
        "几天",
        "天",
        "多",
        "好",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嗯",
        "啦",
        "么",
        "后",
        "前",
        "里",
        "上",
        "下",
        "中",
        "等",
    ]
)
STOP_CHARS = frozenset(w for w in STOP_WORDS if len(w) == 1)
HAN = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
WORD_WEIGHT = 2.0
CHAR_WEIGHT = 1.0


def warm() -> None:
    """Load the dictionary now (a server calls this before forking its workers)."""
    _jieba()


def _jieba() -> object:
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def tokens(text: str) -> list[str]:
    """The features of `text`: words (≥ 2 characters, or alphanumeric) and Han characters,
    stop words out, each once, in order of appearance."""
    jieba = _jieba()
    seen: dict[str, None] = {}
    for word in jieba.cut(text or ""):  # type: ignore[attr-defined]
        word = word.strip().lower()
        if not word or not WORD.search(word) or word in STOP_WORDS:
            continue
        if len(word) >= 2 or not HAN.match(word):
            seen.setdefault(word, None)
        for char in word:
            if HAN.match(char) and char not in STOP_CHARS:
                seen.setdefault(char, None)
    return list(seen)


def token_text(title: str, description: str = "") -> str:
    """What `Case.tokens` stores: the features of title and description, space-separated."""
    return " ".join(tokens(f"{title}\n{description}"))[:4000]


def feature_set(stored: str) -> frozenset[str]:
    return frozenset(stored.split())


def _weight(feature: str) -> float:
    return CHAR_WEIGHT if len(feature) == 1 and HAN.match(feature) else WORD_WEIGHT


def text_similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Weighted Jaccard of two feature sets, 0 … 1."""
    sa, sb = set(a), set(b)
    union = sa | sb
    if not union:
        return 0.0
    shared = sum(_weight(f) for f in sa & sb)
    return shared / sum(_weight(f) for f in union)


def shared_words(sets: list[frozenset[str]], limit: int = 5) -> list[str]:
    """The words (not single characters) most of `sets` share, most common first."""
    counts: dict[str, int] = {}
    for features in sets:
        for f in features:
            if _weight(f) == WORD_WEIGHT:
                counts[f] = counts.get(f, 0) + 1
    floor = max(2, math.ceil(len(sets) / 2))
    common = sorted((f for f, n in counts.items() if n >= floor), key=lambda f: (-counts[f], f))
    return common[:limit]
