"""Named initiatives: programmes, platforms, reforms, campaigns and products.

Two kinds of evidence, both general in government writing:

* a quoted name “…” that names a thing (“深小i”, “高效办成一件事”, “跨城通办”), not a slogan
  or an outcome (“零失陷”, “十二个坚持”的核心要义, “银狐”病毒, “重业务、轻法治”). Work reports
  quote many slogans (“十四五”, “两重”, “经济强”), so a quote counts only when its context names
  a thing: it ends in a kind word (…工程, …平台), a kind word follows it (“…”改革, “…”平台,
  “…”等活动), a verb of running comes before it (打造“…”, 上线“…”) or a noun it names
  (政务助手“…”). Numeral abbreviations (“两重”, “一老一小”) count only as …工程/…计划/…行动;
  criticised things (搞“形象工程”) and awards won (获“…”) never count;
* an unquoted noun phrase ending in a kind word (…平台, …项目, …工程, …工作台, …专区) that
  starts a clause or follows a verb of building or running (建设, 上线, 打造, 依托 …), less the
  clause verbs before it (完成, 持续做强, 学习运用) and never a category (重点项目, 产业项目)
  or a counted phrase (196个…项目).

The word lists are in ``kg.extract.lexicon``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.lexicon import (CATEGORY_HEADS, CATEGORY_TAILS, CLAUSE_VERB_RE, CRITICISING_VERBS, KIND_CONTINUES, LISTING_WORDS,
                      NAME_AFTER_NOUNS, NAMED_KINDS, CATEGORY_AFTER, NUMERAL_LEAD, NUMERAL_NAMED_KINDS, NUMERAL_NAMING_AFTER,
                      PEJORATIVE_NAMES, RUNNING_VERBS)

QUOTE = re.compile(r"[“\"「]([^”\"」“\n]{2,20})[”\"」]")
# Words after a quote that show it is not an initiative's name.
NOT_AFTER = re.compile(r"^(?:的核心要义|的同时|核心要义|精神|思想|理念|原则|要求|倾向|现象|问题|病毒|事件|目标|总目标|"
                       r"重要论述|重要讲话|重要指示|讲话|口号|标语|式|型|化|字|号召|模式转变)")
NOT_BEFORE = re.compile(r"(?:做到了?|实现了?|达到|坚持|把握|树立|践行|破除|防止|克服|存在)$")
GENERIC_QUOTES = {"一站式", "一对一", "点对点", "面对面", "零距离", "全覆盖", "一把手", "最后一公里", "最多跑一次",
                  "放管服", "请进来", "走出去", "引进来"}
# Kinds of named things whose names need no quotes: a platform, a project, a workbench.
KIND_WORDS = ("平台", "项目", "工程", "工作台", "专区", "小程序", "客户端", "应用程序", "服务专区", "数据库")
KIND_RE = re.compile(r"(?:" + "|".join(sorted(map(re.escape, KIND_WORDS), key=len, reverse=True))
                     + r")(?:[（(][一二三四五六七八九十\d]+期[)）])?")
LEAD_VERBS = ("谋划打造", "建设", "上线", "打造", "依托", "推进", "推出", "建立", "构建", "搭建", "运营", "升级", "启动",
              "开通", "建成", "开展", "实施", "通过", "利用", "借助", "完善", "优化", "迭代", "部署", "上架", "运行",
              "提升", "加强", "加快", "推动", "深化", "围绕", "接入", "对接", "用好", "发挥")
PHRASE_CHARS = r"[\u4e00-\u9fffA-Za-z0-9“”\"（）()\-]"
GENERIC_HEADS = ("相关", "有关", "各类", "各项", "配套", "数据", "技术", "信息", "工作", "管理", "服务", "系统", "业务",
                 "重点", "重大", "该", "本", "各", "此", "有", "多个", "智能", "媒体", "网络", "应用")
HEAD_STOP = set("的在与和及对向为将把被等各本该我其以从由于到了是内外中上下个次项家条件类")
ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]|首先|其次|同时|此外|另外)")
PRODUCT_LIST = re.compile(
    r"(?:推出|上线|打造|建成|开发|形成|培育|发布|上架)(?P<items>(?:[^、，,。；;：:“”]{2,14}、)+[^、，,。；;：:“”]{2,14})等"
    r"(?:\d+|[一二三四五六七八九十两]+)(?:个|款|项|类|批)?(?:数据产品|产品|应用场景|应用|场景|平台|服务|品牌|项目)")


@dataclass(frozen=True)
class InitiativeSpan:
    start: int
    end: int
    name: str


def find_initiatives(text: str, titles: list[tuple[int, int]] = ()) -> list[InitiativeSpan]:
    out: list[InitiativeSpan] = []

    def inside(pos: int) -> bool:
        return any(a <= pos < b for a, b in titles)

    for m in QUOTE.finditer(text):
        name = m.group(1).strip()
        before, after = text[:m.start()], text[m.end():]
        if inside(m.start()) or not _good_quote(name, before, after):
            continue
        named = _named_by_context(name, before, after)
        if named is None:
            continue
        out.append(InitiativeSpan(m.start(), m.end() + len(named) - len(name), named))
    for m in KIND_RE.finditer(text):
        if inside(m.start()) or text[m.end():].startswith(KIND_CONTINUES):
            continue
        phrase = _phrase_before(text, m.start(), m.end())
        if phrase:
            out.append(InitiativeSpan(phrase[0], m.end(), phrase[1]))
    for m in PRODUCT_LIST.finditer(text):
        if inside(m.start()):
            continue
        offset = m.start("items")
        for item in m.group("items").split("、"):
            start = offset + len(item) - len(item.lstrip())
            name = item.strip()
            if 2 <= len(name) <= 14 and not re.search(r"\d", name):
                out.append(InitiativeSpan(start, start + len(name), name))
            offset += len(item) + 1
    return _dedupe(out)


def _good_quote(name: str, before: str, after: str) -> bool:
    if name in GENERIC_QUOTES or name.startswith(("零", "不", "重", "无", "没有")):
        return False
    if re.search(r"[、，,；;。！？]", name) or re.fullmatch(r"[\d\W_]+", name):
        return False
    if re.search(r"\+|＋", name) or len(re.findall(r"[-—－]", name)) >= 2:
        return False  # “人工智能+交通” is a strategy; “区-街道-社区-网格” a chain of levels
    if NOT_AFTER.match(after) or NOT_BEFORE.search(before):
        return False
    if re.fullmatch(r"[一二三四五六七八九十百两]+[个项大条化]\w{0,3}", name):
        return False  # “十二个坚持”, “五个一” are slogans
    return True


KIND_AFTER = re.compile(r"^(?:等(?:[一二三四五六七八九十两\d]+[个项场次类批])?)?(?:" + "|".join(
    sorted(map(re.escape, NAMED_KINDS), key=len, reverse=True)) + ")")
CATEGORY_RE = re.compile("^(?:" + "|".join(sorted(map(re.escape, CATEGORY_HEADS), key=len, reverse=True)) + ")+$")
AWARD_BEFORE = re.compile(r"(?:获|荣获|获评|获得|入选|评为|评选为)[^，,。；;：:“”]{0,4}$")


def _named_by_context(name: str, before: str, after: str) -> str | None:
    """The initiative's name when the words around a quote show it names a thing, else None."""
    if any(p in name for p in PEJORATIVE_NAMES) or "的" in name or after.startswith(CATEGORY_AFTER):
        return None
    if re.match(r"(?:[、，,]?[“\"][^”\"]{1,12}[”\"])*(?:企业|型|类)", after) and after[:1] in "、，,“\"":
        return None  # 培育“独角兽”、“瞪羚”企业: kinds of enterprise, listed
    if re.match(r"[一二三四五六七八九十两\d]+[类项个种大条]", after):
        return None  # “水铁公空”五类交通网络: a label summing up a list
    near = before[-6:]
    if near.endswith(CRITICISING_VERBS) or AWARD_BEFORE.search(near):
        return None
    if len(re.findall(r"\d+", name)) >= 2:
        return None  # “40桥24隧”: figures, not a name
    if len(name) <= 4 and re.search(r"[一二三四五六七八九十百千万两双]", name) and not name.endswith(NAMED_KINDS) \
            and not NUMERAL_LEAD.match(name):
        return None  # “新三样”, “新双高”: a numeral slogan behind a modifier
    if NUMERAL_LEAD.match(name):
        if name.endswith(NUMERAL_NAMED_KINDS):
            return name
        kind = next((k for k in NUMERAL_NAMED_KINDS if after.startswith(k)), None)
        if kind:
            return name + kind
        return name if after.startswith(NUMERAL_NAMING_AFTER) else None
    if KIND_AFTER.match(after):
        return name
    kind = next((k for k in NAMED_KINDS if name.endswith(k)), "")
    if kind and len(name) - len(kind) >= 2:
        return name
    if before.endswith(RUNNING_VERBS) or before.endswith(NAME_AFTER_NOUNS):
        return name
    return None


def _phrase_before(text: str, kind_start: int, kind_end: int) -> tuple[int, str] | None:
    """The name ending with a kind word: back to a clause start or a lead verb."""
    left = text[max(0, kind_start - 28):kind_start]
    run = re.search(PHRASE_CHARS + r"*$", left)
    run_text = run.group(0) if run else ""
    base = kind_start - len(run_text)
    cut = None
    for verb in LEAD_VERBS:
        idx = run_text.rfind(verb)
        if idx >= 0 and (cut is None or idx + len(verb) > cut):
            cut = idx + len(verb)
    if cut is None:
        if not _clause_start(text, base):
            return None
        cut = 0
    start = base + cut
    while True:  # 一是持续做强…, 学习运用“…”: ordinals and clause verbs are not part of a name
        ordinal = ORDINAL.match(text[start:kind_start]) or CLAUSE_VERB_RE.match(text[start:kind_start])
        if not ordinal or not ordinal.end():
            break
        start += ordinal.end()
    head = text[start:kind_start]
    bare = head.replace("“", "").replace("”", "").replace('"', "")
    name = (head + text[kind_start:kind_end]).replace("“", "").replace("”", "").replace('"', "")
    if len(bare) < 2 or len(name) > 26 or any(p in name for p in PEJORATIVE_NAMES):
        return None
    if head.count("“") > head.count("”") and not text[kind_end:].startswith("”"):
        return None  # “强化平台支撑…”: the kind word is inside a longer quote
    if text[:start].endswith(CRITICISING_VERBS) or bare.startswith(CRITICISING_VERBS) \
            or any(w in bare for w in LISTING_WORDS):
        return None  # 严控…项目 is restrained, not run; 一批…项目, 省级重点…项目 are sets
    kind = text[kind_start:kind_end]
    if NUMERAL_LEAD.match(bare) and head.startswith("“") and not kind.startswith(NUMERAL_NAMED_KINDS):
        return None  # “两重”项目: projects under a slogan
    outside = re.sub(r"“[^”]*”", "", head)  # the words outside a quoted part
    if not HEAD_STOP.isdisjoint(outside) or re.search(r"\d", outside):
        return None  # 196个…项目, …等重大生态工程: counted or listed, not one named thing
    if "“" not in head:
        if bare.startswith(GENERIC_HEADS) or len(bare) < 4:
            return None
        if bare.endswith(CATEGORY_TAILS) or CATEGORY_RE.match(bare):
            return None  # 重点项目, 产业创新工程: a category of projects, not a named one
    return start, name


def _clause_start(text: str, pos: int) -> bool:
    return pos == 0 or bool(re.match(r"[，,；;。：:、！？\s（(]", text[pos - 1]))


def _dedupe(items: list[InitiativeSpan]) -> list[InitiativeSpan]:
    items.sort(key=lambda s: (s.start, -(s.end - s.start)))
    out: list[InitiativeSpan] = []
    for s in items:
        if out and s.start < out[-1].end:
            if s.end - s.start > out[-1].end - out[-1].start:
                out[-1] = s
            continue
        out.append(s)
    return out
