"""Word lists and name builders for the demo county (all generated, in the style of Gannan).

Surnames are weighted towards those common in southern Jiangxi (刘, 陈, 钟, 曾, 谢 …); given
names follow the fashions of the decade of birth, so a grandmother is 桂英 and a grandchild
梓涵. Place names are built from syllables typical of Hakka villages (坑, 塘, 坪, 岭, 陂 …);
any coincidence with a real place is an accident.
"""

import random
import re
from collections.abc import Iterator


def _words(text: str) -> list[str]:
    """A word list written as one space-separated string, as it reads in Chinese."""
    return text.split()


# Surname and weight (roughly per cent of people in a Gannan county).
SURNAMES = [
    (m[1], int(m[2]))
    for m in re.finditer(
        r"(\D+?)(\d+)",
        "刘9 陈8 钟7 曾6 谢6 李6 黄5 王5 张5 邱4 肖4 温4 傅3 "
        "罗4 胡3 邹3 林3 吴3 杨3 赖3 彭2 徐2 周2 郭2 朱2 袁2 "
        "何2 蔡1 凌1 严1 廖3 欧阳1 丁1 魏1 江1 卢1 潘1 萧1 宋1".replace(" ", ""),
    )
]
_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

# Given names by (era, sex): era 0 born before 1960, 1 in 1960–1989, 2 from 1990.
GIVEN = {
    (0, "M"): "国华 建国 德明 福生 春生 桂生 水生 金生 有才 长发 发祥 茂林 炳南 贤文 "
    "永昌 汉清 明德 祖荣 家旺 荣华 仁和 世昌 学文 秋生 冬生 木生 火生 土生 运来",
    (0, "F"): "桂英 秀英 玉兰 凤英 桂兰 春花 冬梅 秀兰 金凤 玉梅 菊香 招娣 满娣 来娣 秀珍 "
    "桂香 春兰 淑贞 三妹 细妹 金莲 玉英 水英 月娥 腊梅 秋菊 桂花 银秀",
    (1, "M"): "建华 志强 伟 军 勇 斌 海 涛 明 辉 国强 建军 小平 文华 卫东 红兵 建平 志明 "
    "晓东 永红 剑 锋 鹏 俊 华平 新民 小军 春华 卫国 志刚",
    (1, "F"): "丽 芳 敏 静 红 燕 霞 艳 萍 丽华 小红 海燕 晓燕 丽萍 红梅 春燕 小英 秀梅 "
    "玉华 美华 慧 琴 娟 莉 秀芳 冬英 晓霞 丽娟",
    (2, "M"): "浩 宇 子豪 俊杰 梓轩 浩然 宇轩 博文 一鸣 睿 子墨 皓轩 铭 思远 嘉豪 文博 "
    "天佑 宇航 泽宇 俊熙 梓睿 明轩 奕辰 晨阳 家乐 锦程 子健 煜",
    (2, "F"): "欣怡 梓涵 诗涵 雨桐 可欣 紫涵 思琪 佳怡 雨欣 婷 语嫣 梦瑶 芷若 一诺 "
    "欣妍 子萱 思雨 若曦 晓彤 雅琪 心怡 佳琪 雨涵 嘉怡 梦琪 安琪 依诺",
}
GIVEN_LISTS = {k: v.split() for k, v in GIVEN.items()}

TOWN_HEADS = "东西南北龙凤石枫杉桥江溪塘坪岭田梅竹高长良白黄青莲兴安永崇古埠樟均茶鼎方莆杰社城"
TOWN_TAILS = "口源江坑岭塘田坪村陂洲背头下山溪水湖冈岗埠圩坊"
VILLAGE_HEADS = "上下大小新老东西南北前后中高长横坳畲蕉桐樟柏松杉竹茶枫桃李杏梅荷莲禾麻石"
VILLAGE_TAILS = "坑塘坪岭田陂洲背垅排坝湾坵寨屋岗里源口圳溪"
COMMUNITY_WORDS = [
    "将军",
    "红门",
    "文昌",
    "潋水",
    "平川",
    "富民",
    "兴华",
    "和平",
    "胜利",
    "解放",
    "建设",
    "振兴",
    "民主",
    "环城",
    "滨江",
    "西门",
    "东门",
    "南门",
    "北门",
    "长冈",
    "太平",
    "文峰",
    "凤凰",
    "新华",
    "光明",
    "团结",
    "幸福",
    "安居",
    "和谐",
    "育才",
    "红星",
    "朝阳",
    "锦绣",
    "中山",
]
COMPOUND_HEADS = [
    "阳光",
    "锦绣",
    "翠竹",
    "江景",
    "和谐",
    "幸福",
    "滨江",
    "紫荆",
    "金色",
    "富康",
    "学府",
    "香樟",
    "书香",
    "御景",
    "康乐",
    "桂花",
    "平安",
    "东方",
    "红星",
    "文昌",
    "新华",
    "将军",
    "兴华",
    "印象",
    "金都",
    "华府",
    "怡景",
    "碧水",
    "青山",
    "龙湾",
    "凤凰",
    "状元",
    "春天",
    "盛世",
    "天元",
    "嘉和",
    "福星",
    "瑞丰",
    "宏基",
    "建业",
    "恒信",
    "鑫苑",
    "博雅",
    "馨园",
    "万和",
    "永安",
    "泰和",
    "长安",
    "名门",
    "丽景",
    "湖畔",
]
COMPOUND_TAILS = [
    "小区",
    "花园",
    "苑",
    "家园",
    "雅苑",
    "华庭",
    "新村",
    "公寓",
    "名城",
    "佳园",
    "府",
    "小区",
    "小区",
    "宿舍",
]
ROADS = [
    "解放路",
    "建设路",
    "文化路",
    "胜利路",
    "中山路",
    "将军大道",
    "兴国大道",
    "红门路",
    "潋江大道",
    "平川大道",
    "文昌路",
    "环城路",
    "滨江路",
    "长冈路",
    "横江路",
    "工业大道",
    "人民路",
    "新华路",
    "育才路",
    "和平路",
]
VILLAGE_GROUPS = [
    "上屋",
    "下屋",
    "新屋",
    "老屋",
    "坳背",
    "塘背",
    "岭下",
    "坑口",
    "田心",
    "大屋",
    "围屋",
    "桥头",
    "排上",
    "陂下",
]
SHOP_KINDS = [
    "超市",
    "药房",
    "理发店",
    "早餐店",
    "水果店",
    "粮油店",
    "五金店",
    "手机店",
    "洗衣店",
    "文具店",
    "快递驿站",
    "小吃店",
    "家电维修部",
    "诊所",
    "花店",
    "便利店",
]
SHOP_OWNERS = [
    "鑫鑫",
    "家家乐",
    "好邻居",
    "益民",
    "惠民",
    "老表",
    "客家",
    "红都",
    "百姓",
    "福满",
    "利民",
    "佳佳",
    "顺心",
    "诚信",
]
PROPERTY_COMPANY_WORDS = [
    "宏远",
    "金地",
    "安家",
    "恒安",
    "锦程",
    "佳美",
    "万福",
    "安居",
    "诚达",
    "兴宇",
    "康居",
    "华庭",
]
CO_BUILDING_UNITS = [
    "县供电公司",
    "县自来水公司",
    "中国移动兴国分公司",
    "中国电信兴国分公司",
    "县人民医院",
    "县中医院",
    "县实验小学",
    "县第一中学",
    "县农商银行",
    "县邮政分公司",
    "县税务局",
    "县市场监管局",
    "县城管局",
    "县消防救援大队",
]
WORKPLACES = [
    "县民政局",
    "县卫健委",
    "县林业局",
    "县人社局",
    "县教体局",
    "县住建局",
    "县自然资源局",
    "县司法局",
    "县医保局",
    "县财政局",
    "县农业农村局",
    "县供电公司",
    "县人民医院",
    "县第一中学",
    "县实验小学",
    "县农商银行",
    "乡镇人民政府",
]
DEPARTMENTS = [
    "县民政局",
    "县卫健委",
    "县林业局",
    "县人社局",
    "县住建局",
    "县自然资源局",
    "县司法局",
    "县医保局",
    "县城管局",
    "县应急管理局",
    "县委组织部",
    "县委社会工作部",
    "县公安局",
    "县市场监管局",
    "县教体局",
]
CERTIFICATES = (
    ("持证社工", "社会工作者职业水平证书"),
    ("红十字救护员", "红十字救护员证"),
    ("心理咨询", "心理咨询师证"),
    ("法律执业", "律师执业证"),
    ("教师资格", "教师资格证"),
    ("医师执业", "医师执业证书"),
)
CHINESE_NUMBERS = "零一二三四五六七八九十"
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五; from 100 on, plain digits (as 第120党小组 is written)."""
    if n >= 100:
        return str(n)
    if n <= 10:
        return CHINESE_NUMBERS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMBERS[tens]
    return head + "十" + (CHINESE_NUMBERS[ones] if ones else "")


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, _SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, birth_year: int, sex: str) -> str:
    era = 0 if birth_year < 1960 else 1 if birth_year < 1990 else 2
    return rng.choice(GIVEN_LISTS[(era, sex)])


def unique_names(
    rng: random.Random, heads: str | list[str], tails: str | list[str], taken: set[str]
) -> Iterator[str]:
    """Endless distinct head+tail names not yet in `taken` (which it extends)."""
    while True:
        name = rng.choice(heads) + rng.choice(tails)
        if name not in taken and name[0] != name[-1]:
            taken.add(name)
            yield name


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
