"""A synthetic corpus of government reports, made from this project's own templates.

    python -m bench.corpus OUT --reports 10000 --seed 1      # OUT/<id>.txt + OUT/manifest.csv
    for meta, text in synthetic(1000, seed=1): ...           # streaming: nothing is written

Reports are of the genres the project reads (法治政府建设年度报告, 政府工作报告, 工作总结和工作计划),
written by agencies at every administrative level: provincial departments (…省司法厅), city and
district bureaus and governments, with fictitious cities and districts inside real provinces. Each
report has a title line, web-page noise (来源：…, 【字号：大 中 小】, 打印本页), a preamble, a review
section whose sentences name documents of every level (宪法, laws, administrative and local
regulations, department and local-government rules, normative and policy documents, standards,
reports, publications, works of culture) with what the agency did to them (study, implement,
publicise, train, clear, draft, issue), quantified results, named initiatives and other
agencies, a problems section, and a plan section with targets and planned actions.

Sizes are those of real reports: a rule-of-law report or a work summary (法治政府建设年度报告,
工作总结和工作计划, like the seeds) has 2,000–8,000 characters, a government work report (政府工作报告,
like ../shared/corpus-dev) 10,000–25,000; about one report in five is a work report. Fact
densities are the real ones too: paragraphs mix sentences with facts and sentences without
(工作作风, 责任担当 …), and work reports are dense in economic figures and sparse in 《》 titles,
giving about 0.2–0.5 triples a character (the seeds 0.34 and 0.48, corpus-dev 0.16–0.34).

Report ``i`` of seed ``s`` depends only on ``(s, i)``: any slice of the corpus can be made
again, in any order, by any process.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.read import ReportMeta  # noqa: E402

MANIFEST_COLUMNS = ("id", "file", "title", "agency", "jurisdiction", "year", "url")
PROVINCES = ("河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北",
             "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海")
# Characters for made-up place names (none of them a region suffix or a stop character).
NAME_CHARS = "云溪滨青桐林松阳明德宁华兴丰泉湖江山河庆嘉瑞源光泰恒永新丹枫柳岚澄汀洲岭峰梧桂兰芷蓉鹤翠碧晴晖曦澜沅湘禾穗麓屏鸣雁"
CITIES_PER_PROVINCE = 5
DISTRICTS_PER_CITY = 6
YEARS = (2021, 2022, 2023, 2024, 2025)

CITY_BODIES = ("司法局", "政务服务和数据管理局", "发展和改革委员会", "财政局", "教育局", "民政局", "生态环境局",
               "市场监督管理局", "人力资源和社会保障局", "住房和城乡建设局", "交通运输局", "应急管理局", "卫生健康委员会",
               "农业农村局", "水务局", "统计局", "城市管理和综合执法局", "医疗保障局")
PROVINCE_BODIES = ("司法厅", "教育厅", "民政厅", "财政厅", "生态环境厅", "交通运输厅", "商务厅", "水利厅", "应急管理厅",
                   "自然资源厅", "住房和城乡建设厅", "人力资源和社会保障厅")
MINISTRIES = ("司法部", "财政部", "民政部", "商务部", "交通运输部", "自然资源部", "生态环境部", "应急管理部", "水利部")
COMPANIES = ("智慧城市运营有限公司", "数据科技有限公司", "城市发展集团有限公司", "法律服务研究中心", "公共资源交易所")

LAWS = ("中华人民共和国行政复议法", "中华人民共和国行政处罚法", "中华人民共和国行政许可法", "中华人民共和国民法典",
        "中华人民共和国数据安全法", "中华人民共和国个人信息保护法", "中华人民共和国安全生产法", "中华人民共和国环境保护法",
        "中华人民共和国民营经济促进法", "中华人民共和国行政强制法", "中华人民共和国人民调解法", "中华人民共和国法律援助法",
        "中华人民共和国未成年人保护法", "中华人民共和国食品安全法", "中华人民共和国消防法", "中华人民共和国反食品浪费法")
ADMIN_REGULATIONS = ("优化营商环境条例", "政府信息公开条例", "重大行政决策程序暂行条例", "保障中小企业款项支付条例",
                     "政务数据共享条例", "信访工作条例", "安全生产许可证条例", "城镇燃气管理条例")
LOCAL_REGULATION_KINDS = ("数据条例", "优化营商环境条例", "物业管理条例", "文明行为促进条例", "生活垃圾分类管理条例",
                          "河道管理条例", "公共信用信息条例")
DEPARTMENT_RULE_KINDS = ("行政执法证件管理办法", "行政处罚程序规定", "行政许可实施办法", "统计执法检查规定")
GOV_RULE_KINDS = ("政府规章制定程序规定", "行政规范性文件管理办法", "公共数据管理办法", "行政执法监督办法", "政务服务管理办法")
NORMATIVE_KINDS = ("行政规范性文件管理办法", "公共数据授权运营管理暂行办法", "政府购买服务管理办法", "行政执法公示办法",
                   "重大行政决策目录管理办法")
POLICY_KINDS = ("法治政府建设工作要点", "优化营商环境工作方案", "数字政府建设实施方案", "普法依法治理工作要点",
                "政务公开工作要点", "促进民营经济高质量发展若干措施", "公共法律服务体系建设实施意见", "行政执法协调监督工作方案")
STANDARDS = ("政务服务中心运行规范", "公共数据分类分级指南", "行政执法案卷评查规范", "数据资产登记规程")
PUBLICATIONS = ("习近平法治思想学习纲要", "法治政府建设读本", "行政执法案例汇编", "民法典百问百答")
CREATIVE = ("法润万家", "守护", "阳光下的承诺", "调解有方")
INITIATIVES = ("{s}智调", "{s}办", "{s}法治云", "{s}数据", "{s}通", "{s}惠企")
CAMPAIGNS = ("高效办成一件事", "法治体检", "一网通办", "跨省通办", "法律明白人", "蓝天保卫战", "放心消费", "证照分离")
THINGS = ("矛盾纠纷", "行政复议案件", "政务服务事项", "民生诉求", "行政执法案卷", "法律援助案件", "投诉举报")
# Sentences without facts: the wording between the facts of a real report.
FILLERS = ("坚持以人民为中心的发展思想，推动各项工作落地见效。", "强化责任担当，狠抓工作落实。",
           "注重统筹兼顾，形成工作合力。", "聚焦群众急难愁盼问题，持续改进工作作风。", "坚持问题导向，补短板、强弱项、促提升。",
           "着力提升治理体系和治理能力现代化水平。", "各项工作取得了新的进展，群众获得感明显增强。",
           "坚持系统观念，守正创新，真抓实干。", "坚持把握好稳和进、立和破的关系。", "工作质效持续提升，发展基础更加牢固。")
TOPICS = ("深入学习宣传法律法规", "严格规范行政行为", "化解矛盾纠纷", "推进数字政府建设", "优化法治化营商环境",
          "强化行政执法监督", "加强公共法律服务", "推进政务公开")


@dataclass(frozen=True)
class Region:
    name: str          # 云溪市
    level: str         # provincial, municipal, district
    province: str      # 江苏省
    city: str = ""     # 云溪市 (for a district)

    @property
    def full(self) -> str:
        """The name with the regions above it: 江苏省云溪市海滨区."""
        return self.province + (self.city if self.level == "district" else "") + (
            self.name if self.level != "provincial" else "")


@dataclass(frozen=True)
class Geography:
    provinces: tuple[Region, ...]
    cities: tuple[Region, ...]
    districts: tuple[Region, ...]


@lru_cache(maxsize=4)
def geography(seed: int = 1) -> Geography:
    """Provinces (real names) with made-up cities and districts, the same for every report of a seed."""
    rng = random.Random(f"geo:{seed}")
    used: set[str] = set()

    def name() -> str:
        while True:
            candidate = "".join(rng.sample(NAME_CHARS, 2))
            if candidate not in used:
                used.add(candidate)
                return candidate

    provinces, cities, districts = [], [], []
    for p in PROVINCES:
        province = Region(p + "省", "provincial", p + "省")
        provinces.append(province)
        for _ in range(CITIES_PER_PROVINCE):
            city = Region(name() + "市", "municipal", province.name)
            cities.append(city)
            for k in range(DISTRICTS_PER_CITY):
                districts.append(Region(name() + ("县" if k == DISTRICTS_PER_CITY - 1 else "区"), "district",
                                        province.name, city.name))
    return Geography(tuple(provinces), tuple(cities), tuple(districts))


class _Writer:
    """One report being written: random choices plus the text so far."""

    def __init__(self, rng: random.Random, geo: Geography, region: Region, body: str, year: int):
        self.rng, self.geo, self.region, self.body, self.year = rng, geo, region, body, year
        self.short = region.name[:2]
        self.agency = region.name + body

    def pick(self, items):
        return items[self.rng.randrange(len(items))]

    def n(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def pct(self) -> str:
        return f"{self.rng.uniform(85, 99.9):.1f}"

    # documents of every level
    def law(self) -> str:
        return self.pick(LAWS)

    def admin_regulation(self) -> str:
        return self.pick(ADMIN_REGULATIONS)

    def local_regulation(self) -> str:
        place = self.region if self.region.level != "district" else self._city()
        return place.name + self.pick(LOCAL_REGULATION_KINDS)

    def department_rule(self) -> str:
        return self.pick(MINISTRIES) + self.pick(DEPARTMENT_RULE_KINDS)

    def gov_rule(self) -> str:
        return self._city().name + self.pick(GOV_RULE_KINDS)

    def normative(self) -> str:
        return self.region.name + self.pick(NORMATIVE_KINDS)

    def policy(self) -> str:
        return f"{self.region.name}{self.year}年{self.pick(POLICY_KINDS)}"

    def _city(self) -> Region:
        if self.region.level == "district":
            return next(c for c in self.geo.cities if c.name == self.region.city)
        if self.region.level == "municipal":
            return self.region
        return self.pick([c for c in self.geo.cities if c.province == self.region.name])

    def other_agency(self) -> str:
        if self.region.level == "provincial":
            return self.region.name + self.pick(PROVINCE_BODIES)
        return self.region.name[-1] + self.pick(CITY_BODIES)  # 区卫健局 style: the region is implied

    def initiative(self) -> str:
        return self.pick(INITIATIVES).format(s=self.short)

    # sentences
    def review_sentence(self) -> str:
        k = self.rng.randrange(14)
        if k == 0:
            return f"局党组全年开展集中学法{self.n(6, 30)}次，深入学习《{self.law()}》。"
        if k == 1:
            return (f"组织全{self.region.name[-1]}《{self.law()}》专题培训{self.n(2, 12)}场，"
                    f"参训干部超{self.n(2, 30) * 50}人次。")
        if k == 2:
            return f"开展《{self.law()}》宣传进社区活动，发放宣传资料{self.n(2, 40) / 10:.1f}万份。"
        if k == 3:
            return f"严格落实《{self.admin_regulation()}》，全年办结{self.pick(THINGS)}{self.n(100, 9000)}件。"
        if k == 4:
            return (f"对照《{self.local_regulation()}》完成规范性文件专项清理，"
                    f"废止不相符文件{self.n(1, 12)}件。")
        if k == 5:
            return f"起草《{self.normative()}》，印发《{self.policy()}》。"
        if k == 6:
            return (f"依托“{self.initiative()}”平台，全年受理{self.pick(THINGS)}{self.n(200, 9000)}宗，"
                    f"调解成功率{self.pct()}%。")
        if k == 7:
            return (f"与{self.other_agency()}联合开展“{self.pick(CAMPAIGNS)}”专项行动，"
                    f"服务企业{self.n(20, 400)}余家。")
        if k == 8:
            return f"贯彻执行《{self.department_rule()}》，评查案卷{self.n(50, 600)}宗，优秀率达{self.pct()}%。"
        if k == 9:
            return f"认真实施《{self.gov_rule()}》（市政府令第{self.n(10, 300)}号），平均办理时长{self.n(2, 9)}个工作日。"
        if k == 10:
            return f"按照《{self.pick(STANDARDS)}》地方标准，建成标准化窗口{self.n(3, 40)}个。"
        if k == 11:
            return f"组织干部学习读本《{self.pick(PUBLICATIONS)}》，拍摄普法微电影《{self.pick(CREATIVE)}》。"
        if k == 12 and self.rng.random() < 0.5:
            return f"对照《{self.region.name}{self.year}年政府工作报告》部署，完成重点任务{self.n(10, 60)}项。"
        if k == 12 and self.rng.random() < 0.5:
            return f"组织学习《{self.short}工作守则》，开展集中研讨{self.n(2, 9)}次。"
        if k == 12:
            return f"深入学习《中华人民共和国宪法》，在{self.region.name}政务服务中心投放宣传视频{self.n(2, 20)}部。"
        return f"推进“{self.pick(CAMPAIGNS)}”改革，累计办件超{self.n(10, 900)}万件，群众满意率{self.pct()}%。"

    def plan_sentence(self) -> str:
        k = self.rng.randrange(5)
        if k == 0:
            return f"持续开展《{self.law()}》宣传，全年开展专题宣讲不少于{self.n(10, 40)}场。"
        if k == 1:
            return f"推动《{self.normative()}》出台，组织起草{self.region.name}行政执法监督办法。"
        if k == 2:
            return f"{self.pick(THINGS)}办结率保持在{self.n(90, 99)}%以上，力争新增调解员{self.n(10, 90)}名左右。"
        if k == 3:
            return f"深入实施《{self.policy()}》，完成{self.pick(THINGS)}评查{self.n(50, 300)}宗。"
        return f"升级“{self.initiative()}”平台，全年服务群众{self.n(1, 50)}万人次以上。"

    def economy_sentence(self) -> str:
        return (f"全{self.region.name[-1]}地区生产总值达到{self.n(200, 9000)}亿元，增长{self.rng.uniform(3, 7):.1f}%；"
                f"城镇新增就业{self.rng.uniform(0.5, 9):.1f}万人。")

    def work_report_sentence(self) -> str:
        """A sentence of a work report's review: mostly figures, now and then a document."""
        k = self.rng.randrange(9)
        x, y = self.rng.uniform(2, 12), self.rng.uniform(2, 12)
        if k == 0:
            return self.economy_sentence()
        if k == 1:
            return f"规模以上工业增加值增长{x:.1f}%，固定资产投资增长{y:.1f}%。"
        if k == 2:
            return f"社会消费品零售总额达到{self.n(100, 9000)}亿元，增长{x:.1f}%。"
        if k == 3:
            return f"新建改造城镇老旧小区{self.n(20, 900)}个，新增城镇就业{x:.1f}万人。"
        if k == 4:
            return f"实施重点项目{self.n(20, 600)}个，完成投资{self.n(50, 3000)}亿元，建成高标准农田{x:.1f}万亩。"
        if k == 5:
            return f"打造“{self.initiative()}”品牌，新增市场主体{self.n(2, 90)}万户。"
        if k == 6:
            return f"粮食产量达到{self.n(50, 700)}亿斤，农村居民人均可支配收入增长{x:.1f}%。"
        if k == 7:
            return f"森林覆盖率达到{self.rng.uniform(20, 65):.1f}%，空气质量优良天数比例{self.pct()}%。"
        return self.review_sentence()

    def filler(self) -> str:
        """Two to four clauses without facts, as one sentence."""
        clauses = [self.pick(FILLERS).rstrip("。") for _ in range(self.n(2, 4))]
        return "，".join(clauses) + "。"

    def targets_sentence(self) -> str:
        return (f"今年经济社会发展的主要预期目标是：地区生产总值增长{self.rng.choice(('5', '5.5', '6'))}%左右；"
                f"一般公共预算收入增长{self.rng.choice(('4', '4.5'))}%—{self.rng.choice(('5', '5.5'))}%；"
                f"城镇调查失业率控制在{self.rng.choice(('5', '5.5'))}%以内。")


NOISE_TOP = ("来源：{agency}", "发布时间：{y1}-0{m}-1{d}", "【字号：大 中 小】", "当前位置：首页 > 政务公开 > 法治政府建设")
NOISE_BOTTOM = ("打印本页", "关闭窗口", "扫一扫在手机打开当前页", "主办单位：{agency}")
CN = "一二三四五六七八九十"
# Characters of a report's text, by genre (real reports: the seeds about 4,000, corpus-dev
# 9,800–24,200): low, mode, high of a triangular distribution.
SEED_LIKE_CHARS = (2000, 4000, 8000)
WORK_REPORT_CHARS = (10000, 17000, 25000)
PLAN_SHARE = 0.3    # of a report's characters: its plan (targets and planned actions)
FILLER_SHARE = {"gzbg": 0.7, "fzbg": 0.55, "zj": 0.6}  # sentences without facts, of a paragraph's sentences


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 35 → 三十五 (paragraph numbers of up to 99)."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else CN[tens - 1]) + "十" if tens else "") + (CN[ones - 1] if ones else "")


def _paragraph(w: _Writer, sentence, kind: str) -> str:
    """Two to six sentences, some of them without facts."""
    out = []
    for _ in range(w.n(2, 6)):
        out.append(w.filler() if w.rng.random() < FILLER_SHARE[kind] else sentence())
    return "".join(out)


def _sections(w: _Writer, kind: str, target: int) -> list[str]:
    """The body of a report of about ``target`` characters: review, (problems,) plan."""
    year, nxt = w.year, w.year + 1
    lines: list[str] = []
    review_chars = target * (1 - PLAN_SHARE)
    if kind == "gzbg":
        lines.append(f"——{nxt}年1月{w.n(10, 28)}日在{w.region.name}第{CN[w.n(0, 9)]}届人民代表大会第{CN[w.n(0, 5)]}次会议上")
        lines.append("各位代表：")
        lines.append(f"现在，我代表{w.region.name[-1]}人民政府，向大会报告工作，请予审议。")
        lines.append(f"一、{year}年工作回顾")
        lines.append("过去一年，" + w.economy_sentence())
        sentence = w.work_report_sentence
    elif kind == "fzbg":
        lines.append(f"{year}年，在{w.region.name[-1]}委、{w.region.name[-1]}政府的坚强领导下，{w.agency}"
                     "深入学习贯彻习近平法治思想，扎实推进法治政府建设。现将有关情况报告如下：")
        lines.append(f"一、{year}年法治政府建设主要工作")
        sentence = w.review_sentence
    else:
        lines.append(f"{year}年，{w.agency}坚持稳中求进工作总基调，各项工作取得新成效。")
        lines.append(f"一、{year}年工作总结")
        sentence = w.review_sentence
    size = sum(map(len, lines))
    number = 0
    while size < review_chars and number < 99:  # paragraphs under （一）（二）…
        number += 1
        line = f"（{cn_numeral(number)}）{w.pick(TOPICS)}。" + _paragraph(w, sentence, kind)
        lines.append(line)
        size += len(line)
    if kind == "gzbg":
        lines.append(f"二、{nxt}年主要预期目标")
        lines.append(w.targets_sentence())
        lines.append(f"三、{nxt}年重点工作")
    else:
        lines.append("二、存在的问题")
        lines.append("一是部分干部法治思维仍需加强。二是基层法治力量不足。")
        lines.append(f"三、{nxt}年工作计划")
    size += sum(map(len, lines[-3:]))
    number = 0
    while size < target and number < 99:
        number += 1
        line = f"（{cn_numeral(number)}）" + _paragraph(w, w.plan_sentence, kind)
        lines.append(line)
        size += len(line)
    return lines


def report(index: int, seed: int = 1, following: bool = False) -> tuple[ReportMeta, str]:
    """Report ``index`` of the corpus of ``seed``: its manifest metadata and its text.
    ``following``: the same body's report of the next year (id ``…-next``), whose figures answer
    the targets of report ``index`` (kg.progress follows them)."""
    rng = random.Random(f"report:{seed}:{index}")
    geo = geography(seed)
    roll = rng.random()
    if roll < 0.12:
        region, kind = rng.choice(geo.provinces), rng.choice(("fzbg", "zj"))
        body = rng.choice(PROVINCE_BODIES)
    elif roll < 0.40:
        region, kind = rng.choice(geo.cities), rng.choice(("fzbg", "fzbg", "zj", "gzbg"))
        body = rng.choice(CITY_BODIES)
    else:
        region, kind = rng.choice(geo.districts), rng.choice(("fzbg", "fzbg", "zj", "gzbg"))
        body = rng.choice(CITY_BODIES)
    year = rng.choice(YEARS) + (1 if following else 0)
    if kind == "gzbg":
        body = "人民政府"
    w = _Writer(rng, geo, region, body, year)
    agency = region.name + body
    prefix = region.province + region.city if region.level == "district" else (
        region.province if region.level == "municipal" else "")
    if kind == "gzbg":
        title = f"{prefix}{region.name}{year + 1}年政府工作报告"
    elif kind == "fzbg":
        title = f"{prefix}{agency}{year}年法治政府建设年度报告"
    else:
        title = f"{prefix}{agency}{year}年工作总结和{year + 1}年工作计划"
    low, mode, high = WORK_REPORT_CHARS if kind == "gzbg" else SEED_LIKE_CHARS
    fmt = {"agency": agency, "y1": year + 1, "m": rng.randint(1, 9), "d": rng.randint(0, 9)}
    top = [line.format(**fmt) for line in rng.sample(NOISE_TOP, rng.randint(0, 3))]
    bottom = [line.format(**fmt) for line in rng.sample(NOISE_BOTTOM, rng.randint(0, 2))]
    furniture = len(title) + sum(map(len, top + bottom)) + len(top) + len(bottom) + 2
    body_lines = _sections(w, kind, int(rng.triangular(low, high, mode)) - furniture)
    text = "\n".join([title, *top, *body_lines, *bottom]) + "\n"
    if len(text) > high:  # the last paragraph went past the genre's longest: cut it at a full stop
        cut = text.rfind("。", 0, high - len(bottom) * 12 - 2) + 1
        text = "\n".join([text[:cut], *bottom]) + "\n"
    rid = f"syn{seed}-{index:07d}" + ("-next" if following else "")
    meta = ReportMeta(id=rid, title=title, agency=agency, jurisdiction=region.name, year=year,
                      url=f"https://example.org/reports/{rid}")
    return meta, text


def synthetic(count: int, seed: int = 1, start: int = 0) -> Iterator[tuple[ReportMeta, str]]:
    """Reports ``start`` … ``start + count - 1``, one at a time (nothing is kept)."""
    for index in range(start, start + count):
        yield report(index, seed)


def consecutive(count: int, seed: int = 1, start: int = 0) -> Iterator[tuple[ReportMeta, str]]:
    """``count`` reports in pairs of consecutive years of one body (report ``i``, then the same
    body's report of the next year), so that the benchmarks cover the progress checks."""
    for index in range(start, start + (count + 1) // 2):
        yield report(index, seed)
        if 2 * (index - start) + 1 < count:
            yield report(index, seed, following=True)


def synthetic_reports(count: int, seed: int = 1, start: int = 0):
    """The same as :func:`synthetic`, as :class:`kg.read.Report` objects ready to ingest."""
    import hashlib

    from kg.read import Report

    for meta, text in synthetic(count, seed, start):
        yield Report(meta=meta, text=text, path=f"{meta.id}.txt",
                     sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def write_corpus(folder: str | Path, count: int, seed: int = 1, pairs: bool = False) -> tuple[int, int]:
    """Write ``count`` reports and a manifest.csv into ``folder``; return (files, bytes).
    ``pairs``: consecutive years of one body (:func:`consecutive`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(MANIFEST_COLUMNS)
        for meta, text in (consecutive if pairs else synthetic)(count, seed):
            name = f"{meta.id}.txt"
            data = text.encode("utf-8")
            (folder / name).write_bytes(data)
            total += len(data)
            out.writerow((meta.id, name, meta.title, meta.agency, meta.jurisdiction, meta.year, meta.url))
    return count, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="where to write the reports and manifest.csv")
    parser.add_argument("--reports", "-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", action="store_true", help="consecutive years of one body, two by two")
    parser.add_argument("--chars", metavar="LOW,MODE,HIGH",
                        help="every report about this long, whatever its kind (e.g. 600,900,1400: "
                             "many reports in a small store); the same facts a sentence")
    args = parser.parse_args(argv)
    global SEED_LIKE_CHARS, WORK_REPORT_CHARS
    lengths = SEED_LIKE_CHARS, WORK_REPORT_CHARS
    if args.chars:
        low, mode, high = (int(n) for n in args.chars.split(","))
        if not 0 < low <= mode <= high:
            parser.error("--chars: LOW <= MODE <= HIGH, all above 0")
        SEED_LIKE_CHARS = WORK_REPORT_CHARS = (low, mode, high)
    start = time.perf_counter()
    try:
        files, size = write_corpus(args.folder, args.reports, args.seed, args.pairs)
    finally:
        SEED_LIKE_CHARS, WORK_REPORT_CHARS = lengths
    print(f"{files} reports, {size / 2**20:.1f} MB in {args.folder} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
