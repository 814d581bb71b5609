"""Agencies and other organisations named in a sentence, with their full names.

Government bodies are found as *body words* (司法局, 卫健局, 政务服务和数据管理局, 人民政府办公厅 …)
with the region written before them (光明区, 深圳市, 国家) or abbreviated (区, 市, 省). The region is
completed from the reporting body's own jurisdiction (区司法局 in a 光明区 report → 光明区司法局) and
abbreviated body words are expanded (卫健局 → 卫生健康局, 市政府办公厅 → 深圳市人民政府办公厅).
Companies, exchanges and institutes (…公司, …交易所, …研究所) are organisations of level ``other``.

Party bodies are named in full: 区委 → 中共深圳市光明区委员会 (a district's committee carries its
city), 区委统战部 → 中共深圳市光明区委统战部, and a committee's office with its parent committee where
the short form is certain (区委依法治区办 → 中共深圳市光明区委全面依法治区委员会办公室). 政协 is
中国人民政治协商会议…委员会. An organisation's name never starts with a verb (组建省物流集团 is
省物流集团, and 省 is the report's province).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.lexicon import CLAUSE_VERB_RE
from kg.extract.titles import PROVINCES

# Party bodies: the short body word after a region's 委 and its canonical tail (after 中共 + region).
PARTY_BODIES = {
    "委": "委员会", "党委": "委员会",
    **{f"委{full}依法治{x}{office}": f"委全面依法治{x}委员会办公室"
       for x in "省市区县" for full in ("", "全面") for office in ("办", "办公室", "委员会办公室")},
    **{f"委{full}依法治{x}委员会": f"委全面依法治{x}委员会" for x in "省市区县" for full in ("", "全面")},
    "纪委": "纪律检查委员会", "纪委监委": "纪律检查委员会",
    "委网信办": "委网络安全和信息化委员会办公室", "委编办": "委机构编制委员会办公室",
    "委党校": "委党校", "委统战部": "委统战部", "委宣传部": "委宣传部", "委组织部": "委组织部", "委政法委": "委政法委员会",
    "委办公室": "委办公室", "委办": "委办公室", "委社会工作部": "委社会工作部",
}
CPPCC = "中国人民政治协商会议"
# Central bodies named without a region, and their full names.
CENTRAL_BODIES = {"中央依法治国办": "中央全面依法治国委员会办公室",
                  "中央全面依法治国委员会办公室": "中央全面依法治国委员会办公室",
                  "中央全面依法治国委员会": "中央全面依法治国委员会"}
# Ministries of the State Council: named without 国家 and found without a region.
MINISTRIES = ("司法部", "财政部", "公安部", "教育部", "民政部", "商务部", "审计署", "外交部", "国防部", "科学技术部",
              "工业和信息化部", "人力资源社会保障部", "自然资源部", "生态环境部", "住房城乡建设部", "交通运输部",
              "水利部", "农业农村部", "文化和旅游部", "应急管理部")
# People's organisations of a region (工会, 妇联 …): organisations, not government bodies.
MASS_ORGANISATIONS = {"总工会": "总工会", "妇联": "妇女联合会", "妇女联合会": "妇女联合会", "残联": "残疾人联合会",
                      "残疾人联合会": "残疾人联合会", "工商联": "工商业联合会", "工商业联合会": "工商业联合会",
                      "科协": "科学技术协会", "侨联": "归国华侨联合会", "文联": "文学艺术界联合会",
                      "社科联": "社会科学界联合会", "法学会": "法学会", "律师协会": "律师协会", "红十字会": "红十字会"}
# The same organisations of the whole country carry their own names.
NATIONAL_MASS_ORGANISATIONS = {"总工会": "中华全国总工会", "妇联": "中华全国妇女联合会", "妇女联合会": "中华全国妇女联合会",
                               "工商联": "中华全国工商业联合会", "工商业联合会": "中华全国工商业联合会",
                               "残联": "中国残疾人联合会", "残疾人联合会": "中国残疾人联合会", "科协": "中国科学技术协会",
                               "侨联": "中华全国归国华侨联合会", "文联": "中国文学艺术界联合会"}
# A body with a region letter and a name ending in 局 that no list holds (区城管和综合执法局, 区公安分局).
GENERIC_BODY = re.compile(r"(?P<letter>[省市区县])(?P<body>[\u4e00-\u9fff]{2,10}?(?:分局|局|服务中心|调处化解中心|综治中心|"
                          r"融媒体中心|指挥中心|大队|支队)|[\u4e00-\u9fff]{2,3}?办(?![理事法公好成结件学案实]))")
NOT_REGION_WORDS = ("市场", "市民", "市政", "市域", "区域", "区块", "县域", "省内", "市内", "区内", "县内", "省级",
                    "市级", "区级", "县级", "省外", "市外", "省属", "市属", "区属", "县属", "市区", "县区", "省市", "市县",
                    "区县")
# Characters that never stand inside a body's own name (a narrower list than STOP_CHARS: 公共, 中心 are fine).
BODY_STOP = set("的在与及对向为将把被等各本该我其以从由于到了是也都又并或而且让使给跟同均已再里")
# Verbs ending in 办 (举办, 督办, 通办 …): 区里举办 names no office.
VERBS_IN_BAN = ("举办", "开办", "创办", "承办", "主办", "协办", "督办", "交办", "转办", "领办", "代办", "帮办", "包办",
                "查办", "申办", "筹办", "合办", "兴办", "操办", "快办", "速办", "通办", "好办", "易办", "一办", "即办",
                "必办", "网办", "掌办", "马上办", "集中办", "就近办", "联办", "并办", "立办", "接办", "承接办")
# Words ending in 局 that are no body: 布局, 格局, 大局 …
NOT_BODY_ENDINGS = ("布局", "格局", "大局", "全局", "结局", "开局", "变局", "新局", "时局", "棋局", "当局", "破局", "成局")
STREET_OF = re.compile(r"^([\u4e00-\u9fff]{2,3}?)街道")
STREET_OFFICE = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,3})街道(?:办事处|办)")

# Body words: a government body's name without its region. Full forms first.
BODY_EXPANSIONS = {
    "政府": "人民政府", "政府办公厅": "人民政府办公厅", "政府办公室": "人民政府办公室", "政府办": "人民政府办公室",
    "卫健局": "卫生健康局", "卫健委": "卫生健康委员会", "发改委": "发展和改革委员会", "发展改革委": "发展和改革委员会",
    "发改局": "发展和改革局", "政数局": "政务服务和数据管理局", "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局", "工信局": "工业和信息化局", "市监局": "市场监督管理局", "市场监管局": "市场监督管理局",
    "规自局": "规划和自然资源局", "交通局": "交通运输局", "应急局": "应急管理局", "医保局": "医疗保障局",
    "城管局": "城市管理和综合执法局", "科创局": "科技创新局", "科工信局": "科技创新和工业信息化局",
    "文广旅体局": "文化广电旅游体育局", "文旅局": "文化广电旅游体育局", "退役军人局": "退役军人事务局",
    "人大": "人民代表大会", "人大常委会": "人民代表大会常务委员会", "国资委": "国有资产监督管理委员会",
    "网信办": "网络安全和信息化委员会办公室", "法院": "人民法院", "检察院": "人民检察院",
}
BODIES = sorted(set(BODY_EXPANSIONS) | set(BODY_EXPANSIONS.values()) | set(PARTY_BODIES) | set(CENTRAL_BODIES)
                | set(MASS_ORGANISATIONS) | set(MINISTRIES) | {
    "办公厅", "办公室", "司法局", "司法厅", "财政局", "财政厅", "公安局", "公安厅", "教育局", "教育厅", "民政局", "民政厅",
    "自然资源局", "自然资源厅", "生态环境局", "生态环境厅", "水务局", "水利厅", "农业农村局", "农业农村厅", "商务局", "商务厅",
    "审计局", "审计厅", "统计局", "信访局", "税务局", "档案局", "数据局", "数据资源局", "大数据局", "大数据中心",
    "政务服务数据管理局", "政务服务管理局", "政务服务中心", "融媒体中心", "公共法律服务中心", "综治中心", "政务服务和数据管理局", "政务服务和数据管理委员会",
    "卫生健康局", "卫生健康委员会", "卫生健康委", "发展和改革局", "发展和改革委员会", "工业和信息化局", "工业和信息化厅",
    "科学技术局", "科技局", "科技厅", "人力资源和社会保障局", "人力资源和社会保障厅", "住房和城乡建设局", "住房和城乡建设厅",
    "交通运输局", "交通运输厅", "文化广电旅游局", "文化和旅游局", "文化和旅游厅", "应急管理局", "应急管理厅",
    "市场监督管理局", "医疗保障局", "城市管理局", "城市管理和综合执法局", "退役军人事务局", "规划和自然资源局",
    "林业局", "气象局", "地震局", "海关", "知识产权局", "金融工作局", "地方金融管理局", "金融监管局", "国家安全局",
    "机关事务管理局", "港务局", "口岸办", "外事办", "侨务办", "台办", "乡村振兴局", "粮食和物资储备局", "体育局",
    "国有资产监督管理委员会", "委统战部", "委宣传部", "委组织部", "委政法委", "委网信办", "委办公室", "委编办",
    "统战部", "宣传部", "组织部", "政法委", "纪委", "监委", "纪委监委", "编办", "党委", "委", "委员会",
    "人民代表大会常务委员会", "人民代表大会", "政协", "人民法院", "人民检察院", "街道办事处", "街道办", "管委会",
    "管理委员会", "司法部", "财政部", "公安部", "教育部", "民政部", "商务部", "审计署", "外交部", "国防部",
    "科学技术部", "工业和信息化部", "人力资源社会保障部", "自然资源部", "生态环境部", "住房城乡建设部", "交通运输部",
    "水利部", "农业农村部", "文化和旅游部", "国家卫生健康委", "应急管理部", "中国人民银行", "市场监管总局",
    "市场监督管理总局", "统计局", "税务总局", "数据局", "网信办", "发展改革委", "国务院", "国务院办公厅",
}, key=len, reverse=True)
BODY_RE = re.compile("|".join(map(re.escape, BODIES)))
BODY_LAST_CHARACTERS = frozenset(body[-1] for body in BODIES)  # a sentence with none of them names no body word

ORG_SUFFIX_RE = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团有限公司|公司|集团|交易所|研究院|研究所|研究中心|"
                           r"银行|大学|学院|协会|商会|基金会|联合会|律师事务所|事务所)")
STOP_CHARS = set("的在与和及对向为将把被等各全本该我其以从由于到了是有个中上下内外也都又并或而且把让使给跟同共均已再")
NATIONAL = ("国家", "国务院", "中央", "党中央", "全国")
PLACE_WORDS = ("中国", "中华", "亚洲", "国际", "全球", "世界", "华南", "华北", "华东", "华中", "西南", "西北", "东北",
               "粤港澳", "长三角", "京津冀") + PROVINCES
REGION_PREFIX = re.compile(
    r"^(?:中共)?(?P<province>(?:" + "|".join(PROVINCES) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?|[\u4e00-\u9fff]{2,3}?省)?"
    r"(?P<city>[\u4e00-\u9fff]{2,3}?(?:市|自治州|州|盟))?"
    r"(?P<district>[\u4e00-\u9fff]{2,3}?(?:区|县|旗))?")
REGION_PART = re.compile(
    r"^(?P<province>(?:" + "|".join(PROVINCES) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?)?"
    r"(?P<city>[\u4e00-\u9fff]{2}(?:市|州|盟))?"
    r"(?P<district>[\u4e00-\u9fff]{2}(?:区|县|旗|市))?$")


@dataclass(frozen=True)
class Jurisdiction:
    """The regions a report sits in, most general first: 广东省 > 深圳市 > 光明区."""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""     # a street office's street (凤凰街道), for its own reports

    @classmethod
    def parse(cls, *names: str) -> "Jurisdiction":
        """Regions from the leading region names of agency names, titles or region names."""
        province = city = district = street = ""
        for name in names:
            match = REGION_PREFIX.match(name or "")
            if not match:
                continue
            province = province or (match.group("province") or "")
            city = city or (match.group("city") or "")
            district = district or (match.group("district") or "")
            own = STREET_OF.match(name[match.end():])
            street = street or (own.group(1) + "街道" if own else "")
        return cls(province, city, district, street)

    def expand(self, letter: str) -> str:
        municipality = self.province if self.province.endswith("市") else ""  # 北京市 is province and city
        return {"省": self.province, "市": self.city or municipality, "区": self.district,
                "县": self.district}.get(letter, "")

    @property
    def most_specific(self) -> str:
        return self.district or self.city or self.province


@dataclass(frozen=True)
class AgencyMention:
    start: int           # offsets in the sentence
    end: int
    surface: str
    name: str            # full name
    region: str          # the region of the body ("" for organisations)
    admin_level: str     # national, provincial, municipal, district, other
    is_government: bool


def _admin_level(region: str) -> str:
    if region in NATIONAL or not region:
        return "national"
    if region.endswith(("省", "自治区")) or region in ("北京市", "天津市", "上海市", "重庆市"):
        return "provincial"
    if region.endswith(("区", "县", "旗")):
        return "district"
    return "municipal"


def _region_before(left: str, where: Jurisdiction) -> tuple[str, str]:
    """The region written right before a body word: (surface, full region name)."""
    known = tuple(k for k in (where.province, where.city, where.district) if k)
    for n in range(min(len(left), 14), 1, -1):
        cand = left[-n:]
        core = cand[2:] if cand.startswith("中共") else cand
        if core == "全国" and n == 2:
            return cand, core
        if not core or not STOP_CHARS.isdisjoint(core) or "委" in core:
            continue  # 区委区政府: 区委 is a body, not a region
        if core in NATIONAL:
            return cand, core
        match = REGION_PART.match(core)
        if not match:
            continue
        if core in known or any(core.endswith(k) for k in known) or match.group("province"):
            return cand, core
        if _boundary_before(left[:-n]) and not core.startswith(VERB_HEADS):
            return cand, core
    if left[-1:] and left[-1] in "省市区县":
        full = where.expand(left[-1])
        if full:
            return left[-1], full
    return "", ""


BOUNDARY_WORDS = ("联合", "会同", "协调", "配合", "指导", "支持", "推动", "组织", "邀请", "协助", "督促", "牵头", "依托",
                  "通过", "联动", "对接", "走访", "赴", "向", "与", "和", "及", "同", "由", "对", "在", "经", "据", "受",
                  "请", "将", "把", "被", "为", "以", "给", "是", "等", "、")


# Two-character words that start clauses and are never place names (办理市政协 is 办理 + 市政协).
VERB_HEADS = ("办理", "邀请", "提请", "报请", "组织", "推动", "配合", "协调", "指导", "召开", "参加", "出席", "完成",
              "开展", "建立", "推进", "落实", "加强", "协助", "督促", "牵头", "联合", "会同", "支持", "报送", "提交",
              "印发", "发布", "出台", "制定", "起草", "审议", "通过", "向全", "全年", "累计", "共同", "按照", "根据",
              "经过", "受理", "答复", "回复", "接待", "走访", "服务", "围绕", "聚焦", "结合", "对接", "依托", "联动")


def _boundary_before(text: str) -> bool:
    """Whether a name may start right after ``text``: start, punctuation or a linking word."""
    if not text or not re.match(r"[\u4e00-\u9fff]", text[-1]):
        return True
    return text.endswith(BOUNDARY_WORDS)


def find_agencies(sentence: str, where: Jurisdiction) -> list[AgencyMention]:
    """Government bodies and organisations named in one sentence."""
    found: list[AgencyMention] = []
    bodies = () if BODY_LAST_CHARACTERS.isdisjoint(sentence) else BODY_RE.finditer(sentence)
    for match in bodies:
        body = match.group(0)
        left = sentence[max(0, match.start() - 14):match.start()]
        if body in CENTRAL_BODIES:
            found.append(AgencyMention(match.start(), match.end(), body, CENTRAL_BODIES[body], "国家", "national", True))
            continue
        surface_region, region = _region_before(left, where)
        if not region:
            if body in ("国务院", "国务院办公厅") or body.startswith(("国家", "中国人民银行")):
                region = "国家"
            elif body in MINISTRIES and _boundary_before(left):
                found.append(AgencyMention(match.start(), match.end(), body, body, "国家", "national", True))
                continue
            else:
                continue
        if body in ("委", "委员会") and surface_region in NATIONAL:
            continue
        if surface_region == "全国" and body in ("法院", "人民法院", "检察院", "人民检察院"):
            continue  # 全国法院系统: the courts of the country, not one body
        start = match.start() - len(surface_region)
        if sentence[max(0, start - 2):start] == "中共":
            start -= 2
        surface = sentence[start:match.end()]
        full_body = BODY_EXPANSIONS.get(body, body)
        if body.startswith("委") and body != "委员会":
            full_body = body  # 区委统战部 keeps 委
        name = _name(region, full_body)
        government = True
        if body == "委" and len(surface_region) == 1 and sentence[start - 1:start] == "团":
            start -= 1  # 团区委: the district's Communist Youth League committee
            surface, name, government = sentence[start:match.end()], "共青团" + _region_chain(region, where) + "委员会", False
        elif body in MASS_ORGANISATIONS:
            name, government = region + MASS_ORGANISATIONS[body], False
            if surface_region == "全国":
                name = NATIONAL_MASS_ORGANISATIONS.get(body, name)
        elif body in MINISTRIES and region == "国家":
            name = body
        elif body in PARTY_BODIES and (body != "党委" or surface_region):
            name = "中共" + _region_chain(region, where) + PARTY_BODIES[body]
        elif surface.startswith("中共") and body in ("委员会", "纪律检查委员会"):
            name = "中共" + _region_chain(region, where) + body  # 中共深圳市光明区委员会 written in full
        elif body == "政协" and region not in NATIONAL:
            name = CPPCC + _region_chain(region, where) + "委员会"
        elif body == "政协" and surface_region == "全国":
            name = CPPCC + "全国委员会"
        end = match.end()
        branch = re.match(r"[\u4e00-\u9fff]{2,4}?(?:管理局|分局)", sentence[end:]) if body.endswith("局") else None
        if branch:  # 市规划和自然资源局光明管理局: a branch of the body
            end += branch.end()
            surface, name = sentence[start:end], name + branch.group(0)
        found.append(AgencyMention(start, end, surface, name, region if region != "全国" else "国家",
                                   _admin_level(region), government))
    found += _generic_bodies(sentence, where, found)
    for match in ORG_SUFFIX_RE.finditer(sentence):
        org = _organisation_before(sentence, match.start(), where)
        if re.match(r"(?:各|等|共)?\d", sentence[match.end():match.end() + 3]):
            continue  # 省工程研究中心各20家: a class of organisations, counted
        if org and not any(a.start <= org[0] < a.end for a in found):
            surface = sentence[org[0]:match.end()]
            name = org[1] + surface[1:] if len(org) > 1 else surface  # 省物流集团 → 江苏省物流集团
            found.append(AgencyMention(org[0], match.end(), surface, name, "", "other", False))
    return _drop_nested(found)


REGION_LETTERS = frozenset("省市区县")  # GENERIC_BODY starts with one


def _generic_bodies(sentence: str, where: Jurisdiction, found: list[AgencyMention]) -> list[AgencyMention]:
    """Bodies no list holds: a region letter, a name and 局 (区城管和综合执法局), and street offices."""
    out = []

    def taken(start: int, end: int) -> bool:
        return any(a.start < end and start < a.end for a in found + out)

    for m in GENERIC_BODY.finditer(sentence) if not REGION_LETTERS.isdisjoint(sentence) else ():
        letter, body = m.group("letter"), m.group("body")
        region = where.expand(letter)
        if not region or sentence[m.start():m.start() + 2] in NOT_REGION_WORDS or taken(m.start(), m.end()) \
                or body.endswith(NOT_BODY_ENDINGS):
            continue
        own = re.sub(r"(?:分局|局|服务中心|调处化解中心|综治中心|融媒体中心|指挥中心|大队|支队|办)$", "", body)
        if not BODY_STOP.isdisjoint(own) or CLAUSE_VERB_RE.match(body) or body.endswith(VERBS_IN_BAN) \
                or not _boundary_before(sentence[:m.start()]):
            continue
        out.append(AgencyMention(m.start(), m.end(), m.group(0), region + body, region, _admin_level(region), True))
    if "街道" not in sentence:  # both kinds of street office below are written with 街道
        return out
    for m in re.finditer(r"街道(?:党工委|办事处|办)", sentence):
        # 街道党工委, 街道办事处 with no street before: the report's own street (when it is a street office's)
        start = m.start()
        if where.street and sentence[:start].endswith(where.street[:-2]):
            start -= len(where.street) - 2  # 凤凰街道党工委 in 凤凰街道's own report
        elif not where.street or not _boundary_before(sentence[:start]) and sentence[start - 1:start] not in ("我", "本"):
            continue
        if taken(start, m.end()):
            continue
        region = where.district or where.city
        party = m.group(0).endswith("党工委")
        name = ("中共" + _region_chain(region, where) + where.street + "工作委员会" if party
                else region + where.street + "办事处")
        out.append(AgencyMention(start, m.end(), sentence[start:m.end()], name, region, "district", True))
    for m in STREET_OFFICE.finditer(sentence):
        for n in (2, 3):  # 联合光明街道办: the name that starts after a boundary
            start = m.end("name") - n
            name = sentence[start:m.end("name")]
            if start < 0 or name.startswith("各") or not STOP_CHARS.isdisjoint(name) or taken(start, m.end()):
                continue
            if _boundary_before(sentence[:start]) or CLAUSE_VERB_RE.search(sentence[max(0, start - 4):start]):
                region = where.district or where.city
                out.append(AgencyMention(start, m.end(), sentence[start:m.end()], region + name + "街道办事处",
                                         region, _admin_level(region) if region else "district", True))
                break
    return out


def _region_chain(region: str, where: Jurisdiction) -> str:
    """A region as a party body's name writes it: a district with its city (深圳市光明区)."""
    if region.endswith("区") and where.city and region == where.district and not region.startswith(where.city):
        return where.city + region
    return region


def _name(region: str, body: str) -> str:
    if region in ("国家", "全国") and body in ("国务院", "国务院办公厅"):
        return body
    if body.startswith(region):
        return body
    return region + body


def _organisation_before(sentence: str, suffix_start: int, where: Jurisdiction) -> tuple | None:
    """The start of an organisation name ending at a suffix (公司, 交易所 …): it must begin with a place.
    A name written with an abbreviated region (省物流集团) also gives the region in full."""
    places = PLACE_WORDS + tuple(re.sub(r"(?:省|市|区|县|自治区)$", "", k)
                                 for k in (where.province, where.city, where.district) if k)
    for i in range(max(0, suffix_start - 14), suffix_start - 1):
        head = sentence[i:suffix_start]
        if not STOP_CHARS.isdisjoint(head) or not re.fullmatch(r"[\u4e00-\u9fff（）()]+", head):
            continue
        verb = CLAUSE_VERB_RE.match(head)
        if verb and verb.end() < len(head):  # 组建省物流集团: the name starts after the verb
            continue
        if head.startswith(places) or (re.match(r"^[\u4e00-\u9fff]{2}(?:市|省)", head) and _boundary_before(sentence[:i])):
            return (i,)
        if head[0] in "省市" and where.expand(head[0]) and len(head) >= 3 and _boundary_before(sentence[:i]) \
                or head[0] in "省市" and where.expand(head[0]) and CLAUSE_VERB_RE.search(sentence[max(0, i - 4):i]):
            return (i, where.expand(head[0]))
    return None


def _drop_nested(found: list[AgencyMention]) -> list[AgencyMention]:
    found.sort(key=lambda a: (a.start, -(a.end - a.start)))
    out: list[AgencyMention] = []
    for a in found:
        if out and a.start < out[-1].end:
            continue
        out.append(a)
    return out


SELF_REFERENCE = re.compile(r"我局|本局|我委|本委|我办|本办|我厅|本厅|我部|本部|我署|我院|本院|我中心|本中心|我街道|本街道|"
                            r"我区|我市|我省")
