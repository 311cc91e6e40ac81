"""What residents report and what handlers write back, per category of the default catalogue.

Each category lists the matters residents bring (title, body), where the matter sits (the
household itself, its building's stairwell, its compound or the grid's streets) and whether
it happens in town compounds, villages or both; the kinds and sources it usually comes as;
and the notes handlers leave when they resolve it. The phrasing follows real 12345 and
网格 work orders of Jiangxi counties; every matter, name and address is invented.
"""

from dataclasses import dataclass

from apps.cases.choices import CaseKind, CaseSource

K, S = CaseKind, CaseSource

# Where a matter sits: the case's place.
HOME, BUILDING, COMPOUND, GRID = "home", "building", "compound", "grid"
# Where it happens: town compounds only, villages only, or anywhere.
URBAN, RURAL, ANY = "urban", "rural", "any"


@dataclass(frozen=True)
class Matter:
    title: str
    body: str
    where: str = HOME
    area: str = ANY


@dataclass(frozen=True)
class Topic:
    """The demo's view of one category: its share of cases, matters, kinds and sources."""

    code: str
    weight: float
    matters: tuple[Matter, ...]
    kinds: dict[str, int]
    sources: dict[str, int]
    resolutions: tuple[str, ...]
    serves_person: bool = False  # the person served counts in 服务人次


RESIDENT_SOURCES: dict[str, int] = {
    S.VISIT: 30,
    S.HOTLINE: 25,
    S.PORTAL: 25,
    S.QR: 5,
    S.MEETING: 5,
    S.PATROL: 10,
}
SERVICE_SOURCES: dict[str, int] = {S.VISIT: 45, S.HOTLINE: 25, S.PORTAL: 25, S.MEETING: 5}
PATROL_SOURCES: dict[str, int] = {S.PATROL: 45, S.HOTLINE: 20, S.PORTAL: 20, S.QR: 10, S.MEETING: 5}

TOPICS: tuple[Topic, ...] = (
    Topic(
        "repairs",
        14,
        (
            Matter("楼道灯坏了", "楼道声控灯坏了好几天，晚上老人上下楼看不见。", BUILDING, URBAN),
            Matter("下水道堵塞", "厨房下水道堵塞，污水反冒，自己疏通不了。", HOME),
            Matter("单元门禁坏了", "单元门禁刷卡没反应，门一直关不上。", BUILDING, URBAN),
            Matter("水管漏水", "卫生间水管接头漏水，楼下邻居天花板已经渗水。", HOME),
            Matter("家里跳闸断电", "家里总闸频繁跳闸，请帮忙检查线路。", HOME),
            Matter("水龙头坏了请帮忙换", "家里只有老人，厨房水龙头坏了不会换。", HOME),
            Matter("村里自来水停水", "组里自来水已经停了一天，请帮忙联系供水站。", HOME, RURAL),
        ),
        {K.SERVICE_ORDER: 45, K.NEED: 55},
        RESIDENT_SOURCES,
        (
            "已联系维修人员上门，更换配件后恢复正常。",
            "网格员现场查看并协调物业维修，已修好。",
            "志愿者上门疏通，已恢复使用。",
            "已更换损坏部件，居民确认可以正常使用。",
        ),
    ),
    Topic(
        "environment",
        12,
        (
            Matter("垃圾清运不及时", "垃圾桶已经满出来两天了，气味很大。", GRID),
            Matter("小区绿化带堆放杂物", "有人在绿化带堆放建筑垃圾和旧家具。", COMPOUND, URBAN),
            Matter("河沟有人倾倒垃圾", "村口河沟里被人倒了很多生活垃圾。", GRID, RURAL),
            Matter("楼道乱堆杂物", "楼道里堆了纸箱和旧家具，影响通行。", BUILDING, URBAN),
            Matter("污水横流", "路边排水沟堵了，污水流到路面。", GRID),
            Matter("流浪狗扰民", "附近有几条流浪狗，晚上叫，小孩上学害怕。", GRID),
        ),
        {K.NEED: 100},
        PATROL_SOURCES,
        (
            "已联系环卫站清运，现场已清理干净。",
            "网格员组织志愿者清理，并张贴文明提示。",
            "已督促相关住户自行清理，复查已整改。",
        ),
    ),
    Topic(
        "property",
        9,
        (
            Matter("电梯经常停运", "电梯这个月已经停了三次，老人上楼很困难。", BUILDING, URBAN),
            Matter("小区车辆乱停放", "消防通道被私家车占用，救护车进不来。", COMPOUND, URBAN),
            Matter("物业费收支不公开", "希望物业公开去年的物业费收支情况。", COMPOUND, URBAN),
            Matter("屋顶漏水物业不处理", "顶楼屋面漏水，找物业多次没有处理。", HOME, URBAN),
            Matter("小区路灯不亮", "小区主干道路灯坏了一半，晚上很黑。", COMPOUND, URBAN),
            Matter("二次供水水质浑浊", "早上放出来的水发黄，担心水箱没清洗。", COMPOUND, URBAN),
        ),
        {K.NEED: 100},
        RESIDENT_SOURCES,
        (
            "已约谈物业服务企业，限期整改，现已修复。",
            "召开业委会、物业、社区三方协调会，达成处理方案并已落实。",
            "物管会协调维修资金，已完成维修。",
        ),
    ),
    Topic(
        "elderly-care",
        8,
        (
            Matter("独居老人需要代购药品", "老人独居，行动不便，需要帮忙去药店买降压药。"),
            Matter("申请助餐服务", "老人想申请社区长者食堂送餐上门。"),
            Matter("高龄补贴咨询办理", "老人满80岁了，想办理高龄津贴。"),
            Matter("老人需要陪同就医", "子女在外地打工，老人下周需要去县医院复查。"),
            Matter("申请居家适老化改造", "卫生间想装扶手和防滑垫，听说有补贴。"),
        ),
        {K.SERVICE_ORDER: 60, K.ERRAND: 40},
        SERVICE_SOURCES,
        (
            "志愿者已上门代购药品并送到老人手中。",
            "已协助老人提交申请材料，补贴已审批发放。",
            "已安排党员志愿者结对，定期上门探访。",
            "已陪同老人就医并送回家中，子女已知情。",
        ),
        serves_person=True,
    ),
    Topic(
        "insurance-payment",
        7,
        (
            Matter("医保缴费帮办", "老人不会用手机缴纳城乡居民医保，请帮忙代缴。"),
            Matter("养老保险缴费档次咨询", "想了解城乡居民养老保险缴费档次和补贴。"),
            Matter("社保卡激活", "新领的社保卡不会激活，请帮忙办理。"),
            Matter("异地就医备案", "在广东务工，需要办理异地就医备案。"),
        ),
        {K.ERRAND: 80, K.SERVICE_ORDER: 20},
        SERVICE_SOURCES,
        (
            "已协助完成缴费，缴费凭证已发给居民。",
            "已上门讲解政策，居民已选定缴费档次并完成缴费。",
            "已帮助在手机上完成备案。",
        ),
        serves_person=True,
    ),
    Topic(
        "medical-errand",
        6,
        (
            Matter("慢病药品代取", "高血压、糖尿病需要长期服药，请帮忙到卫生院代取。"),
            Matter("家庭医生签约", "想和家庭医生签约，不知道怎么办理。"),
            Matter("门诊慢特病申报", "想申报门诊慢特病待遇，请帮忙准备材料。"),
            Matter("需要上门测血压", "老人行动不便，想请医生上门量血压。"),
        ),
        {K.ERRAND: 70, K.SERVICE_ORDER: 30},
        SERVICE_SOURCES,
        (
            "已协调村医上门服务，并建立随访记录。",
            "已代取药品送到家中，讲清用法用量。",
            "已协助完成签约，家庭医生已联系居民。",
        ),
        serves_person=True,
    ),
    Topic(
        "policy",
        6,
        (
            Matter("低保政策咨询", "家里老人生病，收入少，想了解能不能申请低保。"),
            Matter("临时救助咨询", "家里突遭变故，想了解临时救助怎么申请。"),
            Matter("房屋产权证办理咨询", "想了解安置房办不动产证需要什么材料。"),
            Matter("残疾证办理咨询", "孩子想办残疾证，不知道去哪里鉴定。"),
        ),
        {K.NEED: 100},
        {S.HOTLINE: 40, S.PORTAL: 30, S.VISIT: 30},
        (
            "已电话答复并一次性告知所需材料。",
            "已上门解释政策，居民表示清楚。",
            "已告知办理流程，并预约到便民服务中心办理。",
        ),
    ),
    Topic(
        "neighbour-dispute",
        6,
        (
            Matter("邻里噪音纠纷", "楼上住户晚上十一点后还在跳绳、拖椅子，多次沟通无果。"),
            Matter("宅基地边界纠纷", "与邻居因宅基地边界起争执，对方要砌围墙。", HOME, RURAL),
            Matter("楼上漏水引发纠纷", "楼上卫生间漏水，对方不愿意维修。", HOME, URBAN),
            Matter("占用公共楼道纠纷", "邻居在楼道装鞋柜，双方吵了几次。", BUILDING, URBAN),
            Matter("田间排水纠纷", "邻居堵了排水沟，我家田被水淹。", HOME, RURAL),
        ),
        {K.DISPUTE: 100},
        {S.VISIT: 35, S.HOTLINE: 30, S.PORTAL: 15, S.MEETING: 20},
        (
            "网格员和调解员上门调解，双方达成口头协议。",
            "组织双方到社区调解室调解，签订调解协议。",
            "已协调维修并明确费用分担，双方满意。",
        ),
    ),
    Topic(
        "family-dispute",
        2,
        (
            Matter("赡养老人纠纷", "兄弟几个对老人赡养费分担有分歧，老人生活困难。"),
            Matter("夫妻矛盾需要调解", "夫妻经常吵架，希望社区帮忙调解。"),
        ),
        {K.DISPUTE: 100},
        {S.VISIT: 50, S.HOTLINE: 30, S.MEETING: 20},
        (
            "已组织家庭会议，签订赡养协议。",
            "调解员多次上门疏导，双方矛盾缓和。",
        ),
    ),
    Topic(
        "hazard",
        4,
        (
            Matter("电动车楼道充电", "有住户把电动车推进楼道充电，飞线很危险。", BUILDING, URBAN),
            Matter("路边电线杆倾斜", "路边电线杆倾斜，电线很低。", GRID),
            Matter("井盖缺失", "路口井盖丢了，晚上容易掉下去。", GRID),
        ),
        {K.HAZARD: 100},
        PATROL_SOURCES,
        (
            "已现场设置警示标志并通知产权单位处置，隐患已消除。",
            "已劝导住户整改，复查已整改到位。",
        ),
    ),
    Topic(
        "fire-hazard",
        3,
        (
            Matter("消防通道被占用", "消防通道被杂物和车辆堵住。", COMPOUND, URBAN),
            Matter("灭火器过期", "楼道灭火器已经过期两年了。", BUILDING, URBAN),
            Matter("屋旁堆放柴草", "房屋旁边堆了大量柴草，离灶台很近。", HOME, RURAL),
        ),
        {K.HAZARD: 100},
        PATROL_SOURCES,
        (
            "已联合消防站现场检查，责令清理，隐患已消除。",
            "已更换灭火器并张贴消防安全提示。",
        ),
    ),
    Topic(
        "building-hazard",
        2,
        (
            Matter("外墙瓷砖脱落", "外墙瓷砖有脱落，楼下是人行道。", BUILDING, URBAN),
            Matter("老房子墙体开裂", "老土坯房墙体开裂，雨天担心倒塌。", HOME, RURAL),
        ),
        {K.HAZARD: 100},
        PATROL_SOURCES,
        (
            "已拉设警戒线并组织住建部门鉴定，完成加固。",
            "已转移住户并纳入危房改造。",
        ),
    ),
    Topic(
        "forest-hazard",
        1,
        (
            Matter("山上有人烧田埂", "后山有人烧田埂草，离林子很近。", GRID, RURAL),
            Matter("林区发现枯死松树", "林子里有几片松树枯死，怀疑是松材线虫病。", GRID, RURAL),
        ),
        {K.HAZARD: 100},
        {S.PATROL: 60, S.HOTLINE: 25, S.VISIT: 15},
        (
            "护林员现场制止并宣传森林防火规定。",
            "已报林业站取样检测，枯死树已清理。",
        ),
    ),
    Topic(
        "road-facilities",
        5,
        (
            Matter("村道路面坑洼", "村口水泥路坑坑洼洼，下雨积水。", GRID, RURAL),
            Matter("路灯不亮", "路边几盏路灯坏了，晚上很黑。", GRID),
            Matter("减速带损坏", "学校门口减速带被压坏了。", GRID),
            Matter("人行道地砖松动", "人行道地砖松动，老人容易绊倒。", GRID, URBAN),
        ),
        {K.NEED: 100},
        PATROL_SOURCES,
        (
            "已报镇村建部门安排修补，路面已恢复。",
            "已联系供电所维修路灯，现已亮灯。",
        ),
    ),
    Topic(
        "certificates",
        4,
        (
            Matter("身份证到期换领", "老人身份证过期，行动不便，能否上门办理。"),
            Matter("户口迁移咨询办理", "孩子上学需要迁户口，请帮忙代办。"),
            Matter("居住证办理", "外地来的租户想办理居住证。", HOME, URBAN),
        ),
        {K.ERRAND: 100},
        SERVICE_SOURCES,
        (
            "已预约派出所上门采集，证件办好后送达。",
            "已代办完成，证件已交给居民。",
        ),
        serves_person=True,
    ),
    Topic(
        "employment",
        3,
        (
            Matter("求职登记", "儿子毕业在家，想找本地的工作。"),
            Matter("技能培训报名", "想参加电商或家政技能培训。"),
        ),
        {K.NEED: 60, K.SERVICE_ORDER: 40},
        {S.VISIT: 40, S.PORTAL: 30, S.HOTLINE: 30},
        (
            "已推荐到县人力资源市场，已有企业联系。",
            "已报名参加镇里组织的技能培训。",
        ),
        serves_person=True,
    ),
    Topic(
        "student-aid",
        2,
        (
            Matter("助学金申请", "孩子考上大学，家庭困难，想申请生源地助学贷款。"),
            Matter("困难学生资助咨询", "家里有两个孩子读书，想了解资助政策。"),
        ),
        {K.NEED: 100},
        {S.VISIT: 50, S.HOTLINE: 25, S.PORTAL: 25},
        ("已协助准备材料并提交申请，资助已到位。", "已解释资助政策并纳入资助名单。"),
        serves_person=True,
    ),
    Topic(
        "legal-aid",
        2,
        (
            Matter("工资被拖欠", "在工地干了半年活，老板拖欠工资不给。"),
            Matter("交通事故赔偿咨询", "家人被车撞了，对方不肯赔偿。"),
        ),
        {K.NEED: 100},
        {S.HOTLINE: 40, S.VISIT: 40, S.PORTAL: 20},
        ("已转县法律援助中心，指派律师代理。", "已协调劳动监察介入，工资已追回。"),
        serves_person=True,
    ),
    Topic(
        "counselling",
        2,
        (
            Matter("孩子厌学情绪低落", "孩子不愿意上学，整天关在房间里。"),
            Matter("丧偶老人情绪低落", "老伴去世后老人不愿出门，子女很担心。"),
        ),
        {K.SERVICE_ORDER: 60, K.NEED: 40},
        {S.VISIT: 60, S.HOTLINE: 25, S.PORTAL: 15},
        ("社工已上门开展心理疏导，并约定定期回访。", "已链接心理咨询志愿者开展陪伴服务。"),
        serves_person=True,
    ),
    Topic(
        "left-behind-children",
        3,
        (
            Matter("留守儿童作业辅导", "孩子父母在外打工，爷爷奶奶辅导不了作业。", HOME, RURAL),
            Matter("留守儿童暑期看护", "暑假孩子没人看管，常去河边玩水。", HOME, RURAL),
        ),
        {K.SERVICE_ORDER: 80, K.NEED: 20},
        {S.VISIT: 70, S.MEETING: 15, S.HOTLINE: 15},
        ("已安排志愿者每周上门辅导作业。", "已纳入儿童之家暑期托管，并开展防溺水教育。"),
        serves_person=True,
    ),
    Topic(
        "dispute",
        1,
        (Matter("土地流转租金纠纷", "合作社拖欠土地流转租金。", GRID, RURAL),),
        {K.DISPUTE: 100},
        {S.MEETING: 50, S.VISIT: 50},
        ("村两委组织协商，合作社已按协议支付租金。",),
    ),
)

RATING_COMMENTS = {
    "satisfied": ("处理很及时，谢谢！", "网格员很负责", "服务很好", "", "", ""),
    "basic": ("处理了，就是慢了点", "基本解决了", ""),
    "unsatisfied": ("问题没有彻底解决", "修好没几天又坏了", "还是没人管"),
}
RETURN_REASONS = (
    "不在本人职责范围，请重新派单",
    "需要专业维修人员，本人无法处理",
    "本人近期外出，无法按时办理",
)
CANCEL_REASONS = (
    "居民来电表示问题已自行解决",
    "重复登记，已撤销",
    "经核实不属实",
)
ESCALATE_NOTES = (
    "超出网格处置能力，请上级协调",
    "涉及多个部门，需上级统筹",
    "需要职能部门执法，提请上报",
)
EXTENSION_REASONS = (
    "需要等待配件到货",
    "当事人外出务工，需等其返乡后调解",
    "需要职能部门现场鉴定",
)
SUPERVISE_NOTES = ("请加快办理，按时反馈", "群众反映强烈，请限期办结")
