"""What petitions are about, who handles them, and how petitioners word them.

Plain data: categories with their subcategories and weights, the agency and unit
(機關/課室) that handles each subcategory, and subject templates. ``{d}`` in an
agency or unit stands for the case's district (高雄市{d}公所, {d}清潔隊) and
``{p}`` for its police precinct; such routes need a district, so every
subcategory also names a ``fallback`` unit for cases without one.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_HALL = "高雄市政府"
DISTRICT_OFFICE = "高雄市{d}公所"

# 1999 and the mayor's mailbox dominate, as in Kaohsiung's own statistics.
CHANNELS = ("1999", "市長信箱", "區長信箱", "網路", "電子郵件", "書面", "臨櫃", "電話", "社群")
CHANNEL_WEIGHTS = (0.46, 0.24, 0.05, 0.08, 0.05, 0.04, 0.03, 0.03, 0.02)
# Channels whose default limit is 6 working days (etl/deadlines.py); the rest get 30 days.
FAST_CHANNELS = ("1999", "市長信箱", "區長信箱", "網路")
# Channels that only receive cases during office hours on working days.
OFFICE_CHANNELS = ("書面", "臨櫃")
SPOKEN_CHANNELS = ("1999", "電話", "臨櫃")

EXTENSION_REASONS = (
    "需會同相關單位現場會勘",
    "涉及跨機關協調",
    "需編列預算辦理",
    "待廠商排程施工",
    "需調閱資料查證",
    "陳情人補正資料中",
)


@dataclass(frozen=True)
class Route:
    agency: str
    unit: str
    weight: float = 1.0
    scope: str = "all"  # all / city (原高雄市) / county (原高雄縣)


@dataclass(frozen=True)
class Sub:
    name: str
    weight: float
    routes: tuple[Route, ...]
    templates: tuple[str, ...]  # "{loc}" marks where the case location goes
    fallback: tuple[str, str] | None = None  # (agency, unit) when the case has no district

    def fallback_route(self) -> tuple[str, str]:
        if self.fallback:
            return self.fallback
        for r in self.routes:
            if "{" not in r.agency + r.unit:
                return r.agency, r.unit
        raise ValueError(f"{self.name}: every route needs a district; give a fallback")


@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    subs: tuple[Sub, ...]
    # Month-of-year factors (Jan..Dec): e.g. noise and mosquitoes in summer.
    season: tuple[float, ...] = (1.0,) * 12


def _r(agency: str, unit: str, weight: float = 1.0, scope: str = "all") -> Route:
    agency = agency if agency.startswith("高雄市") else CITY_HALL + agency
    return Route(agency, unit, weight, scope)


WORKS = "工務局"
EPB = "環境保護局"
POLICE = "警察局"
OFFICE = DISTRICT_OFFICE
SUMMER = (0.96, 0.96, 0.98, 1.0, 1.02, 1.05, 1.08, 1.08, 1.06, 1.0, 0.98, 0.96)
RAIN = (0.95, 0.95, 0.96, 0.98, 1.02, 1.06, 1.1, 1.12, 1.06, 0.98, 0.96, 0.95)

CATEGORIES: tuple[Category, ...] = (
    Category("都市建設與發展", 0.30, (
        Sub("道路坑洞", 0.28, (_r(WORKS, "養護工程處", 1, "city"), _r(WORKS, "養護工程處", 0.4, "county"),
                            _r(OFFICE, "經建課", 0.6, "county")),
            ("{loc}路面坑洞，機車行經危險，請儘速修補", "{loc}道路破損不平，請派員處理",
             "{loc}柏油路面凹陷，下雨積水")),
        Sub("路燈故障", 0.22, (_r(WORKS, "養護工程處", 1, "city"), _r(OFFICE, "經建課", 1, "county")),
            ("{loc}路燈不亮，夜間行走危險", "{loc}路燈忽明忽滅，請派員維修", "{loc}整排路燈故障"),
            (CITY_HALL + WORKS, "養護工程處")),
        Sub("人行道改善", 0.10, (_r(WORKS, "新建工程處", 0.4), _r(WORKS, "養護工程處", 0.6)),
            ("{loc}人行道地磚破損翹起", "{loc}人行道高低不平，輪椅無法通行")),
        Sub("排水溝阻塞", 0.15, (_r("水利局", "雨水下水道科", 1, "city"), _r(OFFICE, "經建課", 1, "county")),
            ("{loc}水溝堵塞，一下雨就淹水", "{loc}排水溝蓋破損且有惡臭"),
            (CITY_HALL + "水利局", "雨水下水道科")),
        Sub("違章建築", 0.10, (_r(WORKS, "違章建築處理大隊"),),
            ("檢舉{loc}頂樓加蓋違建", "{loc}騎樓違建佔用通道")),
        Sub("公園綠地維護", 0.10, (_r(WORKS, "養護工程處", 1, "city"), _r(OFFICE, "經建課", 1, "county")),
            ("{loc}公園遊具損壞，請儘速維修", "{loc}行道樹枝葉過長遮蔽號誌，請修剪"),
            (CITY_HALL + WORKS, "養護工程處")),
        Sub("道路挖掘", 0.05, (_r(WORKS, "道路挖掘管理中心"),),
            ("{loc}管線挖掘後未回填平整", "{loc}道路施工未設警示")),
    ), RAIN),
    Category("環境與動物保護", 0.24, (
        Sub("髒亂", 0.25, (_r(EPB, "{d}清潔隊"),),
            ("{loc}空地堆放垃圾髒亂", "{loc}有人亂丟垃圾，請加強稽查"), (CITY_HALL + EPB, "廢棄物管理科")),
        Sub("垃圾清運", 0.12, (_r(EPB, "{d}清潔隊"),),
            ("{loc}垃圾車未依時間到達", "請增設{loc}垃圾車停靠點"), (CITY_HALL + EPB, "廢棄物管理科")),
        Sub("噪音", 0.20, (_r(EPB, "稽查科", 0.7), _r(POLICE, "{p}分局", 0.3)),
            ("{loc}工地夜間施工噪音擾人", "{loc}商家音響聲音過大", "{loc}冷氣室外機噪音吵雜")),
        Sub("空氣污染", 0.12, (_r(EPB, "空氣品質科"),),
            ("{loc}附近工廠排放異味", "{loc}有人露天燃燒廢棄物，空氣污濁")),
        Sub("動物救援", 0.10, (_r("農業局", "動物保護處"),),
            ("{loc}有受傷流浪狗，請協助救援", "{loc}水溝內有小貓受困")),
        Sub("流浪犬貓", 0.13, (_r("農業局", "動物保護處"),),
            ("{loc}流浪犬成群追車", "{loc}有人餵食流浪貓造成髒亂")),
        Sub("病媒孳生", 0.08, (_r(EPB, "{d}清潔隊"),),
            ("{loc}積水容器孳生蚊蟲", "{loc}老鼠蟑螂出沒"), (CITY_HALL + EPB, "環境衛生管理科")),
    ), SUMMER),
    Category("交通規劃與裁決", 0.18, (
        Sub("違規停車", 0.35, (_r(POLICE, "{p}分局", 0.8), _r(POLICE, "交通警察大隊", 0.2)),
            ("{loc}汽車違規停放紅線", "{loc}機車佔用人行道", "{loc}長期停放廢棄車輛")),
        Sub("號誌故障", 0.12, (_r("交通局", "交通工程科"),),
            ("{loc}路口號誌故障", "{loc}行人號誌秒數太短")),
        Sub("標誌標線", 0.12, (_r("交通局", "交通工程科"),),
            ("{loc}標線模糊，請重新劃設", "建議於{loc}增設減速標誌")),
        Sub("公車服務", 0.15, (_r("交通局", "公共運輸處"),),
            ("公車司機過站不停", "公車班次太少，候車過久", "{loc}公車站牌資訊錯誤")),
        Sub("停車管理", 0.10, (_r("交通局", "停車管理中心"),),
            ("{loc}路邊停車格收費有誤", "建議{loc}增設機車停車格")),
        Sub("交通罰單申訴", 0.16, (_r("交通局", "交通事件裁決中心"),),
            ("對超速罰單有疑義，請說明", "申訴違規停車罰單")),
    )),
    Category("警政與消防事務", 0.12, (
        Sub("治安維護", 0.25, (_r(POLICE, "{p}分局"),),
            ("{loc}夜間有人聚集飆車", "{loc}疑似有人吸毒，請加強巡邏"), (CITY_HALL + POLICE, "刑事警察大隊")),
        Sub("妨害安寧", 0.30, (_r(POLICE, "{p}分局"),),
            ("{loc}鄰居深夜喧嘩", "{loc}KTV深夜喧鬧"), (CITY_HALL + POLICE, "保安警察大隊")),
        Sub("交通違規檢舉", 0.25, (_r(POLICE, "交通警察大隊", 0.5), _r(POLICE, "{p}分局", 0.5)),
            ("{loc}機車闖紅燈頻繁", "檢舉{loc}車輛違規迴轉")),
        Sub("消防安全", 0.12, (_r("消防局", "火災預防科"),),
            ("{loc}防火巷堆積雜物", "{loc}大樓逃生門上鎖")),
        Sub("救護服務", 0.08, (_r("消防局", "救災救護指揮中心"),),
            ("救護車到場時間過久", "感謝救護人員協助")),
    )),
    Category("社會福利與勞動", 0.03, (
        Sub("社會救助", 0.35, (_r("社會局", "社會救助科"), _r(OFFICE, "社會課")),
            ("申請中低收入戶進度查詢", "家中經濟困難，請求急難救助")),
        Sub("長照服務", 0.20, (_r("社會局", "長青綜合服務中心"),),
            ("長照居家服務時數不足", "詢問長照交通接送申請方式")),
        Sub("身障福利", 0.15, (_r("社會局", "身心障礙福利科"),),
            ("身障手冊換發流程冗長", "{loc}無障礙設施不足")),
        Sub("勞資爭議", 0.30, (_r("勞工局", "勞資關係科", 0.7), _r("勞工局", "勞動檢查處", 0.3)),
            ("公司積欠薪資未發", "雇主未依法給付加班費")),
    )),
    Category("教育與文化", 0.02, (
        Sub("校園事務", 0.45, (_r("教育局", "國小教育科", 0.6), _r("教育局", "中等教育科", 0.4)),
            ("{loc}學校上下學時段交通擁擠", "學校營養午餐品質不佳")),
        Sub("補習班管理", 0.15, (_r("教育局", "終身教育科"),), ("{loc}補習班未立案招生",)),
        Sub("藝文活動", 0.25, (_r("文化局", "藝術發展科"),), ("建議增加親子藝文活動", "藝文活動資訊不足")),
        Sub("圖書館服務", 0.15, (_r("高雄市立圖書館", "閱覽典藏科"),), ("{loc}分館開放時間太短",)),
    )),
    Category("民政與戶政", 0.03, (
        Sub("戶籍登記", 0.30, (_r("民政局", "{d}戶政事務所"),),
            ("戶籍謄本申請流程詢問", "戶政事務所等候時間過長"), (CITY_HALL + "民政局", "戶政科")),
        Sub("里鄰事務", 0.35, (_r(OFFICE, "民政課"),),
            ("{loc}里辦公處活動資訊不足", "反映里內公共設施問題"), (CITY_HALL + "民政局", "自治行政科")),
        Sub("殯葬管理", 0.15, (_r("民政局", "殯葬管理處"),), ("殯儀館收費詢問", "公墓環境雜草叢生")),
        Sub("兵役", 0.20, (_r(OFFICE, "兵役課"),),
            ("役男體檢時間詢問", "替代役申請流程詢問"), (CITY_HALL + "兵役局", "徵兵科")),
    )),
    Category("衛生與醫療", 0.025, (
        Sub("食品衛生", 0.40, (_r("衛生局", "食品衛生科"),),
            ("{loc}餐廳環境衛生不佳", "購買食品疑似過期")),
        Sub("醫療服務", 0.25, (_r("衛生局", "醫政事務科"),), ("診所收費疑義", "醫院掛號等候過久")),
        Sub("登革熱防治", 0.35, (_r("衛生局", "疾病管制處"),),
            ("{loc}附近疑似登革熱病例，請噴藥", "{loc}空屋積水請清除孳生源")),
    ), (0.9, 0.9, 0.9, 0.92, 0.95, 1.0, 1.08, 1.15, 1.2, 1.15, 1.0, 0.92)),
    Category("財政與稅務", 0.015, (
        Sub("房屋稅", 0.40, (_r("高雄市稅捐稽徵處", "房屋稅科"),), ("房屋稅稅額疑義", "申請自用住宅稅率")),
        Sub("地價稅", 0.35, (_r("高雄市稅捐稽徵處", "地價稅科"),), ("地價稅繳款書未收到", "地價稅稅額疑義")),
        Sub("使用牌照稅", 0.25, (_r("高雄市稅捐稽徵處", "使用牌照稅科"),), ("身障免徵使用牌照稅申請",)),
    )),
    Category("經濟發展與觀光", 0.02, (
        Sub("市場攤販", 0.45, (_r("經濟發展局", "市場管理處"),),
            ("{loc}攤販佔用道路", "{loc}市場環境髒亂")),
        Sub("商業登記", 0.20, (_r("經濟發展局", "商業行政科"),), ("商業登記申請進度查詢",)),
        Sub("觀光景點", 0.35, (_r("觀光局", "風景區管理處"),),
            ("旗津海岸公園廁所髒亂", "{loc}觀光指標不清楚")),
    )),
    Category("其他", 0.02, (
        Sub("市政建議", 0.60, (_r("研究發展考核委員會", "管制考核組"),),
            ("建議市府改善市民服務", "對市政建設的建議")),
        Sub("其他", 0.40, (_r("研究發展考核委員會", "綜合規劃組"),),
            ("感謝承辦人員熱心協助", "詢問市府活動資訊")),
    )),
)  # fmt: skip

CATEGORY_NAMES = tuple(c.name for c in CATEGORIES)

# Units that serve the public at a counter or on the phone: surveyed and phone-tested.
SERVICE_UNITS: tuple[tuple[str, str], ...] = (
    (CITY_HALL + "民政局", "鳳山區戶政事務所"),
    (CITY_HALL + "民政局", "三民區戶政事務所"),
    (CITY_HALL + "民政局", "前鎮區戶政事務所"),
    (CITY_HALL + "民政局", "岡山區戶政事務所"),
    (CITY_HALL + "地政局", "鳳山地政事務所"),
    (CITY_HALL + "地政局", "新興地政事務所"),
    ("高雄市稅捐稽徵處", "服務科"),
    ("高雄市稅捐稽徵處", "房屋稅科"),
    (CITY_HALL + "社會局", "社會救助科"),
    (CITY_HALL + "社會局", "長青綜合服務中心"),
    (CITY_HALL + "勞工局", "勞資關係科"),
    (CITY_HALL + "工務局", "養護工程處"),
    (CITY_HALL + "工務局", "建築管理處"),
    (CITY_HALL + "環境保護局", "廢棄物管理科"),
    (CITY_HALL + "交通局", "停車管理中心"),
    (CITY_HALL + "交通局", "交通事件裁決中心"),
    (CITY_HALL + "衛生局", "食品衛生科"),
    (CITY_HALL + "經濟發展局", "市場管理處"),
    (CITY_HALL + "研究發展考核委員會", "1999話務中心"),
    ("高雄市鳳山區公所", "民政課"),
    ("高雄市鳳山區公所", "社會課"),
    ("高雄市三民區公所", "民政課"),
    ("高雄市三民區公所", "社會課"),
    ("高雄市左營區公所", "民政課"),
    ("高雄市前鎮區公所", "社會課"),
    ("高雄市岡山區公所", "民政課"),
    ("高雄市岡山區公所", "農業課"),
    ("高雄市旗山區公所", "農業課"),
    ("高雄市美濃區公所", "經建課"),
    ("高雄市林園區公所", "社會課"),
    ("高雄市楠梓區公所", "經建課"),
    ("高雄市小港區公所", "民政課"),
    ("高雄市茂林區公所", "原住民行政課"),
    ("高雄市路竹區公所", "社會課"),
)
