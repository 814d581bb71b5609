"""Document titles: 《…》 with nested 〈…〉, defined abbreviations, and the level of a document.

Pure functions on strings; the spaCy component in ``kg.nlp`` and the resolver use them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE = "《", "》"


@dataclass(frozen=True)
class TitleSpan:
    start: int          # offset of 《 in the text
    end: int            # offset after 》
    title: str          # the text between the outer brackets, inner 〈〉 kept
    nested: bool = False  # an inner 〈…〉 title of another title


def find_titles(text: str, nested: bool = True) -> list[TitleSpan]:
    """Every 《…》 title (outermost brackets, nesting counted), then the 〈…〉 inside them."""
    out: list[TitleSpan] = []
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch == OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch == CLOSE and depth:
            depth -= 1
            if depth == 0:
                inner = text[start + 1:i].strip()
                if 1 <= len(inner) <= 120 and "\n" not in inner:
                    out.append(TitleSpan(start, i + 1, inner))
    if nested:
        for span in list(out):
            base = span.start + 1
            for m in re.finditer(r"[〈<]([^〈〉<>《》]{2,80})[〉>]", span.title):
                out.append(TitleSpan(base + m.start(), base + m.end(), m.group(1).strip(), nested=True))
    return sorted(out, key=lambda s: (s.start, -s.end))


# --- abbreviations --------------------------------------------------------------------

ABBREV_DEF = re.compile(
    r"^\s*[（(]\s*(?:以下|下文)?(?:简称|下称|称)\s*(?:为)?\s*[《“\"]([^》”\"]{1,20})[》”\"]\s*[)）]")
GENERIC_SHORT = re.compile(
    r"^(?:条例|办法|规定|细则|规则|决定|法|本法|纲要|规划|建议|意见|方案|计划|通知|报告|准则|标准|指引|指南|清单|要点|措施|"
    r"实施意见|实施方案|实施细则|行动计划|行动方案|工作方案|若干措施|若干规定|管理办法|暂行办法|条例草案)"
    r"(?:[（(]?(?:草案|试行|征求意见稿|修订草案|送审稿)[)）]?)?$")


def defined_abbreviation(text_after: str) -> str | None:
    """``（下称《条例》）`` right after a title: the short name it defines, or None."""
    match = ABBREV_DEF.match(text_after)
    return match.group(1).strip() if match else None


def is_generic_short(title: str) -> bool:
    """A title that is only a document kind (条例, 纲要（草案）): an abbreviation, never a document."""
    return bool(GENERIC_SHORT.match(title.strip()))


DRAFT_SUFFIX = re.compile(r"\s*[（(](?:草案|征求意见稿|送审稿|修订草案|修订稿|代拟稿|讨论稿)[)）]\s*$")


def strip_draft(title: str) -> str:
    return DRAFT_SUFFIX.sub("", title)


def variant_key(title: str) -> tuple:
    """Two titles of one document written differently (…管理暂行办法 / …暂行管理办法) share this key."""
    folded = re.sub(r"[\s《》〈〉“”\"'‘’()（）]", "", title)
    return (folded[:4], folded[-2:], len(folded), "".join(sorted(folded)))


# --- levels -------------------------------------------------------------------------

PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
             "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
REGION_START = re.compile(
    r"^(?:中共)?(?:(?:" + "|".join(PROVINCES) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
    r"|[\u4e00-\u9fff]{2,6}?(?:省|自治区|市|自治州|地区|盟|区|县|旗)|[\u4e00-\u9fff]{2,4}?经济特区)")
DISTRICT_START = re.compile(r"^(?:[\u4e00-\u9fff]{2,6}?(?:省|市))?[\u4e00-\u9fff]{1,5}?(?:(?<!特)区|县|旗)(?![\u4e00-\u9fff]{0,2}(?:域|内|级))")
DEPARTMENT_START = re.compile(r"^(?:国务院|国家|中华人民共和国)?[\u4e00-\u9fff]{2,12}?(?:部|总局|委员会|局|署|银行)(?:关于|办公厅)?")

CREATIVE_BEFORE = re.compile(r"(?:电视剧|连续剧|网络剧|纪录片|专题片|宣传片|动画片|动画|微电影|电影|影片|舞剧|话剧|歌剧|音乐剧|越剧|京剧|粤剧|黄梅戏|"
                             r"川剧|豫剧|昆曲|戏曲|舞台剧|剧目|微短剧|短剧|短视频|歌曲|主题曲|专辑|节目|栏目|晚会|综艺|相声|小品|展览|画作|作品|"
                             r"[\u4e00-\u9fff]{0,4}片|观看|观看了|收看|展播|上映|演出|拍摄|创作)$")
PUBLICATION_BEFORE = re.compile(r"(?:小说|长篇小说|诗集|散文集|图书|书籍|新书|专著|著作|读本|教材|丛书|词典|辞典|字典|年鉴|期刊|杂志|报纸|刊物|学术期刊|"
                                r"出版|出版了|编写|编撰|编纂|主编|撰写|阅读|诵读|荐读|推荐阅读)$")
CREATIVE_AFTER = re.compile(r"^(?:等)?(?:电视剧|纪录片|专题片|宣传片|电影|影片|舞剧|话剧|歌剧|越剧|剧目|微短剧|短剧|节目|栏目|歌曲|作品|文艺作品|主题曲|展览|演出)")
PUBLICATION_AFTER = re.compile(r"^(?:等)?(?:书目|书籍|图书|读本|教材|丛书|专著|著作|期刊|杂志|刊物|报刊|一书|系列丛书|出版物|词典|辞典|文集)")
PUBLICATION_TITLE = re.compile(
    r"(?:概论|学习纲要|学习问答|学习读本|读本|问答|选编|文选|文集|摘编|论述摘编|语录|全集|选集|词典|辞典|字典|年鉴|手册|教程|教材|导读|"
    r"百问百答|知识问答|案例汇编|汇编|白皮书|蓝皮书|史|志)$")
PERSON_THOUGHT = re.compile(r"^(?:习近平|毛泽东|邓小平|江泽民|胡锦涛|马克思|恩格斯|列宁)")
REPORT_TITLE = re.compile(r"(?:报告|公报|白皮书|蓝皮书|年报)$")
PARTY_RULE = re.compile(r"^(?:中国共产党|中共中央|中共|党政|党委|党组)|^[\u4e00-\u9fff]{0,12}?(?:党组|党委)(?:工作)?(?:条例|规定|规则|办法)$")
STANDARD_CONTEXT = re.compile(r"(?:国家标准|行业标准|地方标准|团体标准|企业标准|技术标准|标准规范|标准体系|标准化指导性技术文件)")
GOV_RULE_CONTEXT = re.compile(r"政府规章|市政府令|省政府令|人民政府令|政府令")
NORMATIVE_CONTEXT = re.compile(r"规范性文件")
LOCAL_REG_CONTEXT = re.compile(r"地方性法规|人大常委会(?:审议|通过|表决)")


def level_of(title: str, before: str = "", after: str = "", context: str = "") -> str:
    """The level code of a document from its title and the words around it.

    ``before`` / ``after``: the text right before 《 and right after 》 (a few characters);
    ``context``: the sentence (or more) the title stands in.
    """
    t = strip_draft(re.sub(r"\s+", "", title))
    core = re.sub(r"[（(][^（）()]*[)）]$", "", t) or t  # (2025-2026年), (试行)
    b, a = before[-8:], after[:10]
    if CREATIVE_BEFORE.search(b) or CREATIVE_AFTER.match(a):
        return "creative-work"
    if PUBLICATION_BEFORE.search(b) or PUBLICATION_AFTER.match(a):
        return "publication"
    if PERSON_THOUGHT.match(core) and not re.search(r"(?:条例|办法|规定|方案|意见|通知|决定|法)$", core):
        return "publication"
    if re.search(r"宪法(?:修正案)?(?:[（(].*[)）])?$", core) and not re.search(r"宪法(?:宣传|学习)", core):
        return "constitution"
    if REPORT_TITLE.search(core):
        return "report"
    if PARTY_RULE.match(core):
        return "policy-document"  # 党内法规 are the Party's rules, not state legislation
    if re.search(r"(?:条例|法|法典|规定|办法)的(?:决定|解释)$|^全国人民代表大会常务委员会关于", core):
        return "law"
    if re.search(r"(?<![办方做想说看立])法典?$", core) or re.search(r"法(?:实施条例)?$", core) and core.startswith("中华人民共和国"):
        if core.endswith("实施条例"):
            return "administrative-regulation"
        return "law"
    if re.search(r"(?:条例|自治条例|单行条例)$", core):
        if LOCAL_REG_CONTEXT.search(context) or REGION_START.match(core) and not core.startswith(("中华人民共和国", "国务院", "国家")):
            return "local-regulation"
        return "administrative-regulation"
    if re.search(r"(?:办法|规定|细则|规则|实施办法|暂行办法)$", core):
        if DISTRICT_START.match(core):
            return "normative-document"
        if GOV_RULE_CONTEXT.search(after[:12]) or GOV_RULE_CONTEXT.search(context) and not NORMATIVE_CONTEXT.search(context):
            return "local-government-rule"
        if NORMATIVE_CONTEXT.search(context):
            return "normative-document"
        if not REGION_START.match(core) and DEPARTMENT_START.match(core) and not re.search(r"国务院", core[:4]):
            return "department-rule"
        return "normative-document"
    if PUBLICATION_TITLE.search(core) or re.search(r"手册", core):
        return "publication"
    if re.search(r"(?:标准|规范|导则|规程|技术要求|技术规范|指南)$", core):
        if re.search(r"(?:工作)?指南$", core) and not STANDARD_CONTEXT.search(context + after[:8]):
            return "policy-document"
        return "standard"
    if re.search(r"指引$", core):
        if STANDARD_CONTEXT.search(context + after[:8]):
            return "standard"
        return "policy-document"
    if re.search(r"(?:方案|规划|纲要|要点|意见|措施|清单|计划|通知|决定|决议|安排|部署|行动|工程|实施意见|指导意见|"
                 r"若干措施|举措|政策|目录|制度|机制|公告|通告|批复|函|纪要|备忘录|倡议书|宣言|建议)$", core):
        return "policy-document"
    return "other"
