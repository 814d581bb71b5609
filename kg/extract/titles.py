"""Document titles: 《…》 with nested 〈…〉, defined abbreviations, and the level of a document.

Pure functions on strings; the spaCy component in ``kg.extract.nlp`` and the resolver use them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg import lexicons

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
    if OPEN not in text:  # most sentences of a work report: no title to look for
        return out
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


def mask_titles(text: str) -> str:
    """``text`` with every 《…》 title (brackets included, nesting counted) blanked by ideographic
    spaces of the same length, so offsets stay and patterns do not read inside titles."""
    if "《" not in text:
        return text
    out, depth = [], 0
    for ch in text:
        if ch == "《":
            depth += 1
        out.append("\u3000" if depth else ch)
        if ch == "》" and depth:
            depth -= 1
    return "".join(out)


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
    r"|[\u4e00-\u9fff]{2,6}?(?:省|自治区|市(?!场)|自治州|地区|盟|区|县|旗)|[\u4e00-\u9fff]{2,4}?经济特区)")
DISTRICT_START = re.compile(r"^(?:[\u4e00-\u9fff]{2,6}?(?:省|市))?[\u4e00-\u9fff]{1,5}?(?:(?<!特)区|县|旗)(?![\u4e00-\u9fff]{0,2}(?:域|内|级))")
DEPARTMENT_START = re.compile(r"^(?:国务院|国家|中华人民共和国)?[\u4e00-\u9fff]{2,12}?(?:部|总局|委员会|局|署|银行)(?:关于|办公厅)?")

GENRES = lexicons.kinds("genres.tsv")
GENRE = lexicons.alternation(GENRES)
MODIFIER = lexicons.alternation(lexicons.words("modifiers.txt"))
# a genre word right before 《 (越剧《…》, 推出微短剧《…》), or a verb of watching, staging, reading
GENRE_BEFORE = re.compile(r"(?P<genre>" + GENRE + r")(?:作品)?$")
# …片, …剧, …戏 right before 《: the many genres of screen and opera the lexicon may not list (陇剧, 茂腔戏)
CREATIVE_VERB_BEFORE = re.compile(r"(?:[\u4e00-\u9fff]{0,4}片|[\u4e00-\u9fff]{1,3}(?<!加)剧|[\u4e00-\u9fff]{1,3}(?<![把])戏|观看|观看了|收看|展播|上映|演出|拍摄|创作)$")
PUBLICATION_VERB_BEFORE = re.compile(r"(?:出版|出版了|编写|编撰|编纂|主编|撰写|阅读|诵读|荐读|推荐阅读)$")
# a genre word after 》, over 等 and quantities or praise (《…》等一批影视佳作, 《…》等精品鲁剧)
GENRE_AFTER = re.compile(r"^(?:等)?(?:(?:" + MODIFIER + r"|[0-9一二两三四五六七八九十]+[部首台个])){0,2}(?P<genre>" + GENRE + r")")
# a work's own verbs or prizes after it, in its clause (《…》热播, 《…》首演, 《…》获文华剧目奖)
AWARD = lexicons.alternation(w.removesuffix("奖") for w in lexicons.words("awards.txt"))
WORK_AFTER = re.compile(r"^(?:等)?(?:[^，。；,;]{0,6}?)(?P<cue>热播|首播|开播|播出|上映|首映|首演|公演|展演|巡演|"
                        r"(?:获|荣获|摘得|斩获|入选)[^，。；,;]{0,10}?(?:" + AWARD + r")奖?)")
PUBLISHED_AFTER = re.compile(r"^(?:等)?(?:[^，。；,;]{0,4}?)(?P<cue>出版发行|正式出版|出版|付梓)")
# other titles of a coordinated list (话剧《A》《B》、《C》等): the cue of the list covers them all
CHAIN_BEFORE = re.compile(r"(?:《[^《》]*》[、和与及\s]*)+$")
CHAIN_AFTER = re.compile(r"^(?:[、和与及\s]*《[^《》]*》)+")
# the head noun of a document kind: a title with one is a document, whatever its neighbours
DOC_HEAD = re.compile(r"(?:法|法典|条例|规定|办法|细则|规则|意见|方案|规划|纲要|通知|决定|决议|标准|规范|指南|指引|报告|公报|"
                      r"清单|计划|要点|措施|目录|制度|批复|章程|守则|准则)$")
UNBRACKETED_DRAFT = re.compile(r"(?:修订草案|草案|征求意见稿|送审稿)$")
PUBLICATION_TITLE = re.compile(
    r"(?:概论|学习纲要|学习问答|学习读本|读本|问答|选编|文选|文集|摘编|论述摘编|语录|全集|选集|词典|辞典|字典|年鉴|手册|教程|教材|导读|"
    r"百问百答|知识问答|案例汇编|汇编|白皮书|蓝皮书|史|志|日报|晚报|早报|时报|周报|周刊|月刊|杂志|画报|学报)$")
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
    return level_and_rule(title, before, after, context)[0]


def _region_kind(region: str) -> str:
    if region.startswith(PROVINCES) and (len(region) <= 4 or region.endswith(("省", "自治区"))):
        return "province"
    if region.endswith(("区", "县", "旗")):
        return "district"
    if region.endswith("经济特区"):
        return "special zone"
    return "city"


def _issuer(core: str) -> str:
    """The region a title begins with, as ``issuer 福建省 (province)``, or ""."""
    match = REGION_START.match(core)
    if not match or core.startswith(("中华人民共和国", "国务院", "国家", "全国")):
        return ""
    region = match.group(0).removeprefix("中共")
    return f"issuer {region} ({_region_kind(region)})"


def context_cue(before: str, after: str) -> tuple[str, str] | None:
    """(level, rule) a work's neighbours give: a genre word or a verb of watching or reading, before
    the title or after it, over the other titles of a coordinated list (话剧《A》《B》)."""
    b = CHAIN_BEFORE.sub("", before)[-12:]
    chained = CHAIN_AFTER.match(after)
    a = after[chained.end():] if chained else after
    a = a[:24]
    for text, pattern, where in ((b, GENRE_BEFORE, "before"), (a, GENRE_AFTER, "after")):
        m = pattern.search(text)
        if m:
            genre = m.group("genre")
            return GENRES[genre], f"genre {genre} {where} the title"
    m = WORK_AFTER.match(a)
    if m:
        return "creative-work", f"{m.group('cue')} after the title"
    m = PUBLISHED_AFTER.match(a)
    if m:
        return "publication", f"{m.group('cue')} after the title"
    m = CREATIVE_VERB_BEFORE.search(b)
    if m:
        return "creative-work", f"{m.group(0)} before the title"
    m = PUBLICATION_VERB_BEFORE.search(b)
    if m:
        return "publication", f"{m.group(0)} before the title"
    return None


@lru_cache(maxsize=8192)  # a pure function of its strings: a title is asked again by each mention, and by resolve
def level_and_rule(title: str, before: str = "", after: str = "", context: str = "") -> tuple[str, str]:
    """``level_of`` with the rule that gave it (``head 条例 + issuer 福建省 (province)``)."""
    t = strip_draft(re.sub(r"\s+", "", title))
    core = re.sub(r"[（(][^（）()]*[)）]$", "", t) or t  # (2025-2026年), (试行)
    drafted = UNBRACKETED_DRAFT.search(core)
    if drafted and DOC_HEAD.search(core[:drafted.start()]):
        core = core[:drafted.start()]  # …纲要草案 is the 纲要's draft
    head = DOC_HEAD.search(core)
    if not head:
        cue = context_cue(before, after)
        if cue:
            return cue
    if PERSON_THOUGHT.match(core) and not re.search(r"(?:条例|办法|规定|方案|意见|通知|决定|法)$", core):
        return "publication", "title names a thinker's works"
    if re.search(r"宪法(?:修正案)?$", core) and not re.search(r"宪法(?:宣传|学习)", core):
        return "constitution", "head 宪法"
    if REPORT_TITLE.search(core):
        return "report", f"head {REPORT_TITLE.search(core).group(0)}"
    if PARTY_RULE.match(core):
        return "policy-document", "a Party body's document or rule (中共…, 党组), not state legislation"
    if re.search(r"(?:条例|法|法典|规定|办法)的(?:决定|解释)$|^全国人民代表大会常务委员会关于", core):
        return "law", "a decision of the NPC Standing Committee"
    issuer = _issuer(core)
    if issuer and not DISTRICT_START.match(core) and re.search(r"实施[^，。]*法(?:的)?办法$|法实施(?:办法|细则)$", core):
        return "local-regulation", f"a region's rules implementing a law + {issuer}"
    if re.search(r"(?<![办方做想说看立])法典?$", core) or re.search(r"法(?:实施条例)?$", core) and core.startswith("中华人民共和国"):
        if core.endswith("实施条例"):
            return "administrative-regulation", "head 实施条例 of a national law"
        return "law", f"head {'法典' if core.endswith('法典') else '法'}"
    if re.search(r"(?:条例|自治条例|单行条例)$", core):
        if issuer:
            return "local-regulation", f"head 条例 + {issuer}"
        if LOCAL_REG_CONTEXT.search(context) and not core.startswith(("中华人民共和国", "国务院", "国家", "全国")):
            return "local-regulation", "head 条例 + context " + LOCAL_REG_CONTEXT.search(context).group(0)
        return "administrative-regulation", "head 条例, no region"
    m = re.search(r"(?:办法|规定|细则|规则|实施办法|暂行办法)$", core)
    if m:
        kind = m.group(0)
        if DISTRICT_START.match(core):
            return "normative-document", f"head {kind} + issuer a district"
        if GOV_RULE_CONTEXT.search(after[:12]) or GOV_RULE_CONTEXT.search(context) and not NORMATIVE_CONTEXT.search(context):
            return "local-government-rule", f"head {kind} + context 政府规章"
        if NORMATIVE_CONTEXT.search(context):
            return "normative-document", f"head {kind} + context 规范性文件"
        if not REGION_START.match(core) and DEPARTMENT_START.match(core) and not re.search(r"国务院", core[:4]):
            return "department-rule", f"head {kind} + issuer {DEPARTMENT_START.match(core).group(0)}"
        return "normative-document", f"head {kind}"
    if PUBLICATION_TITLE.search(core) or re.search(r"手册", core):
        return "publication", "title of a book kind"
    if re.search(r"(?:标准|规范|导则|规程|技术要求|技术规范|指南)$", core):
        if re.search(r"(?:工作)?指南$", core) and not STANDARD_CONTEXT.search(context + after[:8]):
            return "policy-document", "head 指南"
        return "standard", "head of a standard"
    if re.search(r"指引$", core):
        if STANDARD_CONTEXT.search(context + after[:8]):
            return "standard", "head 指引 + context 标准"
        return "policy-document", "head 指引"
    m = re.search(r"(?:方案|规划|纲要|要点|意见|措施|清单|计划|通知|决定|决议|安排|部署|行动|工程|实施意见|指导意见|"
                  r"若干措施|举措|政策|目录|制度|机制|公告|通告|批复|函|纪要|备忘录|倡议书|宣言|建议)$", core)
    if m:
        return "policy-document", f"head {m.group(0)}"
    if head:
        cue = context_cue(before, after)
        if cue:
            return cue
    return "other", "no head noun of a document kind, no cue around it"
