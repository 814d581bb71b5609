"""Quantities: numbers with their multiplier, unit, qualifier and comparator, and what they measure.

``find_quantities(sentence)`` reads Arabic and Chinese numerals (19.46万宗, 十个工作日, 近百家),
multipliers 万/亿/千/百, qualifiers before and after the number (超, 近, 约, 余, 以上, 以内, 左右,
不少于 …), ranges (4.5%—5%), full-width ％ and compound units (万人次, 亿斤, 微克/立方米,
个工作日). Dates, years and ordinals (2025年, 6月30日, 第一, 二十大) are not quantities, nor is a
number inside a word (“117项目”).

``indicators(sentence, quantities)`` gives each quantity the noun phrase it measures: the noun a
count stands before (建设47.8万亩高标准农田 → 高标准农田), else the words before it in its own
clause, never punctuation or another number; enumerations (A、B分别增长16.7%、40.2%) pair each
value with its own subject, and a bare change (…3534.6亿元、增长6%) takes its clause's subject.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kg.extract.lexicon import CLAUSE_VERB_RE

UNITS = sorted({
    "%", "‰", "个百分点", "百分点", "万人次", "人次", "户次", "件次", "个工作日", "工作日", "个月", "小时", "分钟", "秒",
    "天", "日", "周", "年", "批次", "公里", "平方公里", "平方米", "万平方米", "千米", "米", "公顷", "亩", "吨", "公斤",
    "千克", "克", "斤", "元", "美元", "千瓦时", "千瓦", "兆瓦", "万千瓦", "标准箱", "标箱", "立方米", "微克/立方米",
    "毫克/立方米", "次", "件", "项", "个", "家", "条", "宗", "份", "场", "期", "人", "名", "户", "所", "座", "套", "台",
    "辆", "类", "篇", "路", "起", "例", "倍", "页", "批", "轮", "届", "款", "张", "间", "张床", "床", "位", "处", "支",
    "组", "门", "种", "只", "头", "株", "棵", "部", "本", "册", "册次", "单", "笔", "宗次", "栋", "幢", "层", "级", "站",
    "所学校", "个百分点", "分", "岗", "个岗位", "亿斤", "万元", "亿元", "万亿元", "余元",
    "场次", "家次", "篇次", "条次", "个次", "期次", "学时", "课时", "卷", "班次", "架次", "车次", "堂", "块", "幅",
    "盏",
}, key=len, reverse=True)
# A unit is kept as written, less a leading multiplier: 万元 → 元 with ×10⁴.
UNIT_MULTIPLIER = {"万元": ("元", 10**4), "亿元": ("元", 10**8), "万亿元": ("元", 10**12), "亿斤": ("斤", 10**8),
                   "万千瓦": ("千瓦", 10**4), "万平方米": ("平方米", 10**4), "余元": ("元", 1)}
MULTIPLIERS = {"万亿": 10**12, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3}

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}

PRE_QUAL = r"(?P<pre>不少于|不低于|不超过|不高于|不多于|不到|超过|高于|低于|多于|少于|逾|超|近|约|上|达到|达|接近|将近)?"
NUMBER = r"(?P<num>\d+(?:[.,]\d+)*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
RANGE = r"(?:\s*(?:%|％)?\s*(?:—|–|-|－|~|～|至|到)\s*(?P<num2>\d+(?:\.\d+)?))?"
MULT = r"(?P<mult>万亿|亿|千万|百万|万|千)?"
POST_QUAL = r"(?P<post>余|多)?"
UNIT = r"(?P<unit>" + "|".join(re.escape(u) for u in UNITS).replace("%", "%|％") + r")"
TAIL = r"(?P<tail>以上|以内|以下|左右|上下|之内|多)?"
# The lookahead (the first characters a qualifier or a number can start with) only lets the
# scan skip other characters fast (3× faster); it matches what the pattern without it matches.
QUANTITY_FIRST = r"(?=[\d零〇一二两三四五六七八九十百千不低超高多少逾近约上达接将])"
QUANTITY = re.compile(QUANTITY_FIRST + PRE_QUAL + NUMBER + RANGE + MULT + POST_QUAL + UNIT + TAIL)

COMPARATOR_OF = {
    "以上": "at-least", "不少于": "at-least", "不低于": "at-least", "超过": "at-least", "超": "at-least", "逾": "at-least",
    "高于": "at-least", "多于": "at-least",
    "以内": "at-most", "以下": "at-most", "不超过": "at-most", "不高于": "at-most", "不多于": "at-most", "之内": "at-most",
    "低于": "at-most", "少于": "at-most", "不到": "at-most",
    "左右": "about", "约": "about", "上下": "about", "近": "about", "接近": "about", "将近": "about",
}
CONTROL_BEFORE = re.compile(r"(?:控制在|保持在|稳定在|维持在)$")


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: Decimal
    unit: str
    comparator: str = "exact"
    upper: Decimal | None = None
    qualifier: str = ""


def cn_number(text: str) -> int | None:
    """一 → 1, 十五 → 15, 二百三十 → 230, 百 → 100; None when it is not a plain numeral."""
    if not text or any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None:  # 一二 (a list, not a number)
                return None
            digit = CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


def _arabic(text: str) -> Decimal | None:
    cleaned = text.replace(",", "")
    try:
        return Decimal(cleaned)
    except ArithmeticError:
        return None


LATIN = re.compile(r"[A-Za-z]")
MONTH_END = re.compile(r"月$")
DIGIT_MONTH_END = re.compile(r"\d月$")
ONE_OR_TWO_DIGITS = re.compile(r"^\d{1,2}$")
CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
COUNTER_AFTER = re.compile(r"[号届季月]")


def _is_date_or_ordinal(sentence: str, m: re.Match) -> bool:
    start, end = m.start("num"), m.end()
    before, after = sentence[max(0, start - 1):start], sentence[end:end + 2]
    num, unit = m.group("num"), m.group("unit")
    if before in ("第", "."):
        return True
    if before and LATIN.match(before):  # PM2.5, 5G, COVID-19
        return True
    if unit in ("年",) and (len(num) == 4 or m.group("num2")) and num.isdigit():
        return True
    if unit == "日" and MONTH_END.search(sentence[max(0, start - 3):start]):
        return True
    if unit in ("日", "天") and ONE_OR_TWO_DIGITS.match(num) and DIGIT_MONTH_END.search(sentence[max(0, start - 3):start]):
        return True
    if not num[0].isdigit():
        if unit in ("年", "月", "日", "届", "期", "级", "批", "轮", "类", "种", "门", "部", "号", "次", "场", "天"):
            return True  # 二十届, 三期, 两年: ordinals and wording, not figures
        if sentence[max(0, start - 1):start] in ("“", "\"", "「"):
            return True  # “十二个坚持”: a slogan
        if CJK_CHAR.match(before) and before in "之第前后每各":
            return True
    if COUNTER_AFTER.match(after or " "):
        return True
    return False


# A unit character followed by these is part of a word, not a count: 117项目, 5条例.
WORD_AFTER_UNIT = {"项": "目", "条": "例", "名": "单录", "家": "庭", "台": "账", "人": "口员才民"}


def find_quantities(sentence: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in QUANTITY.finditer(sentence):
        num, unit = m.group("num"), m.group("unit")
        if unit == "％":
            unit = "%"
        if _is_date_or_ordinal(sentence, m):
            continue
        if not m.group("tail") and sentence[m.end():m.end() + 1] and \
                sentence[m.end()] in WORD_AFTER_UNIT.get(unit, ""):
            continue
        if unit == "小时" and (sentence[m.start() - 1:m.start()] in ("×", "x", "X", "*")
                               or re.match(r"(?:全天候|不间断|在线|服务|值班|值守|热线|不打烊|响应|畅通)", sentence[m.end():])):
            continue  # 7×24小时在线服务: a service's hours, not a figure
        if unit == "年" and m.group("pre") == "近":
            continue  # 近3年: a period
        if unit in ("年", "个月") and not m.group("tail") and re.match(
                r"(?:同比|累计|均)?(?:增长|提高|提升|下降|降低|减少|增加|翻|扩大|缩小)", sentence[m.end():]):
            continue  # 5年提高4.5个百分点, 连续6年增长: a period, not a figure
        if sentence[m.start() - 1:m.start()] in ("“", "「") and re.match(r"[^，。；、”]{0,16}”", sentence[m.end():]):
            continue  # “15分钟生活圈”: a number inside a quoted name
        pre, post, tail = m.group("pre") or "", m.group("post") or "", m.group("tail") or ""
        if num[0].isdigit():
            value = _arabic(num)
        else:
            n = cn_number(num)
            # Chinese numerals count only from ten up or with a qualifier (近百家, 十个工作日);
            # 三项措施 and 两批 are wording, not reported figures.
            if n is None or (n < 10 and not pre and not post):
                continue
            value = Decimal(n)
            # a Chinese numeral right before the match is part of a longer word (十五运)
        if value is None:
            continue
        if re.match(r"[\u4e00-\u9fff]", sentence[m.end("unit"):m.end("unit") + 1] or " ") and unit in ("分",):
            continue
        factor = MULTIPLIERS.get(m.group("mult") or "", 1)
        if unit in UNIT_MULTIPLIER:
            unit, extra = UNIT_MULTIPLIER[unit]
            factor *= extra
        upper = None
        if m.group("num2"):
            upper = _arabic(m.group("num2"))
            if upper is not None:
                upper *= factor
        value *= factor
        comparator = "exact"
        if upper is not None and upper > value:
            comparator = "range"
        elif tail in COMPARATOR_OF:
            comparator = COMPARATOR_OF[tail]
        elif pre in COMPARATOR_OF:
            comparator = COMPARATOR_OF[pre]
        elif post:
            comparator = "at-least"
        if tail in ("以内", "以下") and CONTROL_BEFORE.search(sentence[:m.start()]):
            comparator = "at-most"
        qualifier = "".join(q for q in (pre, post, tail) if q in COMPARATOR_OF or q in ("余", "多", "上"))
        start = m.start() if pre in COMPARATOR_OF or pre == "上" else m.start("num")
        out.append(Quantity(start, m.end(), sentence[start:m.end()], _normal(value), unit, comparator,
                            _normal(upper) if comparator == "range" else None, qualifier))
    return out


def _normal(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


_INDICATOR_LEAD = re.compile(r"^(?:其中|全年|累计|共|总计|合计|实现|达到|确保|力争|推动|完成|共计|已|当年|今年|同比|比上年)+")


def indicator_before(sentence: str, start: int) -> str:
    """The words a quantity measures: the clause before it, less lead words (实现, 累计 …)."""
    clause = re.split(r"[，,；;。：:、！？]", sentence[:start])[-1]
    clause = re.sub(r"(?:不少于|不低于|不超过|不高于|超过|达到|达|为|是|约|近|超|逾|增至|降至|控制在|保持在|稳定在|增长|下降|提高|减少)$",
                    lambda m: m.group(0) if m.group(0) in ("增长", "下降", "提高", "减少") else "", clause)
    clause = _INDICATOR_LEAD.sub("", clause.strip()).strip()
    if re.fullmatch(r"(?:同比|比上年|较上年)?(?:增长|下降|提高|减少|降低|上升|增加)", clause):
        # 地区生产总值达到2860亿元，增长5.3%: the change is of the previous clause's subject
        previous = re.split(r"[，,；;。：:、！？]", sentence[:start])
        if len(previous) >= 2:
            subject = re.split(r"(?:达到|达|为|是|实现|完成|突破)", previous[-2])[0].strip()
            subject = _INDICATOR_LEAD.sub("", subject).strip()
            if subject:
                clause = subject + clause
    return clause[-40:]


# --- what a quantity measures ---------------------------------------------------------

CLAUSE_SPLIT = re.compile(r"[，,；;。：:！？!?（）()]")
ENUM_GAP = re.compile(r"^\s*[、和及与]\s*$")
# Verbs that link an indicator to its value: dropped from the end of an indicator.
LINK_WORDS = ("不少于", "不低于", "不超过", "不高于", "超过", "突破", "达到了", "达到", "达", "为", "是", "约", "近", "超", "逾",
              "增至", "增加到", "增加至", "降至", "降到", "降低到", "降低至", "下降到", "下降至", "提高到", "提高至", "提升到",
              "提升至", "上升到", "上升至", "增长到", "扩大到", "扩大至", "减少到", "减少至", "控制在", "保持在", "稳定在", "位居",
              "分别", "累计", "从", "由", "首次", "再次", "均")
LINK_TAIL = re.compile(r"(?:分别|累计|共计|共|年均|均)?(?:" + "|".join(LINK_WORDS) + ")$")


def _without_link(text: str) -> str:
    """``text`` less its linking verb at the end (LINK_TAIL); the pattern only runs on a text
    that ends with one (it scans every position otherwise)."""
    return LINK_TAIL.sub("", text) if text.rstrip("\n").endswith(LINK_WORDS) else text
CHANGE_WORDS = ("增长", "下降", "提高", "减少", "降低", "上升", "增加", "提升", "扩大", "缩小", "回落", "增速")
SUBJECT_END = re.compile(r"(?:达到|达|为|是|实现|完成|突破|超过|增加|增至|提高到|提升至|由|从|(?:较|比)(?=上年|去年|同期|\d|“))")
ORDINAL_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]|其中|同时|此外)")
# Units that count things (个, 家, 亩 …) may stand before the noun they count; these never do.
NOT_COUNTING = ("%", "‰", "个百分点", "百分点", "倍", "年", "个月", "月", "天", "日", "周", "小时", "分钟", "秒",
                "个工作日", "工作日", "元", "美元")
# Words that start the predicate after a counted noun (13个大模型通过备案): the noun ends there.
PREDICATE_STARTS = ("通过", "全部", "全面", "实现", "达到", "布局", "融入", "聚力", "撬动", "拔地", "重组", "入列", "入选",
                    "获评", "获得", "获批", "纳入", "列入", "落户", "集聚", "进入", "入轨", "开工", "建成", "投运", "完成",
                    "成为", "参与", "覆盖", "受益", "惠及", "稳定", "规模", "位居", "位列", "排名", "居全", "居中", "居前",
                    "创历史", "创新高", "占", "超", "达", "被", "比", "较", "同比", "增长", "下降", "提高", "减少", "上升",
                    "正在", "已经", "已", "先行", "取得", "开展", "加快", "持续", "保持", "连续", "累计", "均", "分别",
                    "实施", "启动", "和", "及", "与", "等", "的", "以上", "以下", "左右", "稳步", "扎实", "有序", "顺利",
                    "深入", "有效", "基本", "率先", "首次", "陆续", "相继", "同步", "逐步", "成功", "如期", "按期", "提前",
                    "全覆盖", "增至", "降至", "减至", "升至", "增加到", "提高到", "提升至", "提高至", "提升到", "扩大到")


def indicators(sentence: str, quantities: list[Quantity]) -> list[str]:
    """For each quantity of a sentence (in order), the noun phrase it measures."""
    return [_indicator(sentence, quantities, i) for i in range(len(quantities))]


def _indicator(sentence: str, quantities: list[Quantity], i: int) -> str:
    q = quantities[i]
    breaks = [m.end() for m in CLAUSE_SPLIT.finditer(sentence, 0, q.start)]
    clause_start = breaks[-1] if breaks else 0
    before = [p for p in quantities[:i] if p.start >= clause_start]
    chain = [q]
    while before and ENUM_GAP.match(sentence[before[-1].end:chain[0].start]):
        chain.insert(0, before.pop())
    for later in quantities[i + 1:]:  # 16.7% in …分别增长16.7%、40.2% heads a chain
        if not ENUM_GAP.match(sentence[chain[-1].end:later.start]):
            break
        chain.append(later)
    counted = _noun_after(sentence, q)
    if counted:
        return counted
    segment = sentence[before[-1].end if before else clause_start:chain[0].start]
    if len(chain) > 1 and "分别" in segment:
        head, _, verb = segment.partition("分别")
        for sep in (r"[、]", r"[、和及与]"):
            subjects = re.split(sep, head)
            if len(subjects) == len(chain):
                return _clean(_clean(subjects[chain.index(q)]) + _change(verb))
        if not _clean(head) or _clean(head).startswith(COMPARING):
            # A达X，B达Y，较上年分别增长a%、b%: each value is of one clause before, in order
            back = len(chain) - chain.index(q)
            subject = _previous_subject(sentence, clause_start, back)
            if subject:
                return _clean(subject + _change(verb))
        return _clean(head + _change(verb))
    text = _clean(re.sub(r"^[、，,\s]*(?:近|这)?(?:\d+|[一二三四五六七八九十两]+)(?:年|个月)(?:来|间|内)?", "", segment))
    if text == "连续":  # 连续6年无高风险金融机构: the streak is of what follows
        streak = re.split(r"[，,；;。：:！？!?（）()\d]", sentence[q.end:])[0]
        return _clean(streak[:16]) or _previous_subject(sentence, clause_start)
    if text in EMPTY_WORDS or CLAUSE_VERB_RE.fullmatch(text) and not text.startswith(CHANGE_WORDS):
        text = ""  # 由51家整合为33家: 整合 is no indicator; the subject is
    if text in SHARE_WORDS or "、" in text and len(text.rsplit("、", 1)[1]) <= 3:
        # …82万辆、占比达到45%; 财政民生支出突破万亿元、占比…: the share of the clause's subject
        share = text.rsplit("、", 1)[-1]
        first = before[0].start if before else chain[0].start
        subject = _subject(sentence[clause_start:first] if first > clause_start else text.rsplit("、", 1)[0])
        return _clean(subject + share) if subject and subject != share else share
    if not text or text.startswith(COMPARING) or text.startswith(CHANGE_WORDS):
        first = before[0].start if before else chain[0].start
        subject = _subject(sentence[clause_start:first])
        if not subject or subject == text:
            subject = _previous_subject(sentence, clause_start)
        if subject and subject != text:
            return _clean(subject + text)
    if not text or text in CHANGE_WORDS:
        return indicator_before(sentence, q.start)
    return text


EMPTY_WORDS = ("连续", "累计", "年均", "共", "其中", "全年", "同比")
SHARE_WORDS = ("占比", "比重", "增速", "占全国", "占全省", "占全市", "占全区", "比例")


def _previous_subject(sentence: str, clause_start: int, back: int = 1) -> str:
    """The subject of the clause ``back`` clauses before (工业投资增长9.1%，高于全省… → 工业投资)."""
    if not clause_start:
        return ""
    clauses = CLAUSE_SPLIT.split(sentence[:clause_start - 1])
    if back > len(clauses):
        return ""
    previous = clauses[-back]
    number = re.search(r"\d|[一二两三四五六七八九十百千万亿]+[个项家条]", previous)
    return _subject(previous[:number.start()] if number else previous)


COMPARING = ("比", "较", "同比", "高于", "低于", "快于", "慢于", "优于", "好于")


def _subject(text: str) -> str:
    """The subject of a clause: the words before its linking verb, less a change word (…增长)."""
    subject = _clean(SUBJECT_END.split(text)[0])
    if subject in EMPTY_WORDS:
        return ""
    for word in CHANGE_WORDS:
        if subject.endswith(word) and len(subject) > len(word):
            return _clean(subject[:-len(word)])
    return subject


def _noun_after(sentence: str, q: Quantity) -> str:
    """The noun a count stands before: 建设47.8万亩高标准农田 → 高标准农田 ('' when none)."""
    after = sentence[q.end:]
    if q.unit in ("%", "‰") and after.startswith("的"):
        after = after[1:]  # 90%的县医院达到三级: the share of county hospitals
    elif q.unit in NOT_COUNTING:
        return ""
    stop = CLAUSE_SPLIT.search(after)
    after = after[:stop.start() if stop else len(after)]
    if not after or not re.match(r"[\u4e00-\u9fff“]", after) or after.startswith(PREDICATE_STARTS):
        return ""
    verb = CLAUSE_VERB_RE.match(after)
    if verb and verb.group(0) not in NOUN_LIKE_VERBS:
        return ""  # 由51家整合为33家: a verb follows, not a counted noun
    end = len(after)
    for k in range(1, len(after)):
        if after.startswith(PREDICATE_STARTS, k) or after[k] == "、" or re.match(r"\d", after[k]):
            end = k
            break
    noun = after[:min(end, 16)]
    if len(noun) == 1:  # 9个县（区）获评…, 13个县被命名为…: one character says too little; its predicate says what
        rest = re.sub(r"^[（(][^）)]{0,8}[）)]", "", sentence[q.end + 1:])
        stop = CLAUSE_SPLIT.search(rest)
        noun += rest[:min(stop.start() if stop else len(rest), 16)]
    return noun if noun.replace("“", "").replace("”", "") else ""


NOUN_LIKE_VERBS = ("服务", "创新", "发展", "保障", "建设", "运营", "组织", "学习", "改造", "新建", "共", "建")


def _change(verb: str) -> str:
    verb = _without_link(verb.strip())
    return verb if verb in CHANGE_WORDS or verb.endswith(CHANGE_WORDS) else ""


def _clean(text: str) -> str:
    text = text.strip(" 、，,；;：:")
    for _ in range(3):
        text = _without_link(text)
        text = _INDICATOR_LEAD.sub("", ORDINAL_LEAD.sub("", text)).strip(" 、")
    if text.count("“") > text.count("”"):
        text = text.replace("“", "")
    if text.count("”") > text.count("“"):
        text = text.replace("”", "")
    return text[-40:]
