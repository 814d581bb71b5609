"""Named initiatives: programmes, platforms, reforms, campaigns and products.

Two kinds of evidence, both general in government writing:

* a quoted name “…” that names a thing (“深小i”, “高效办成一件事”, “跨城通办”), not a slogan
  or an outcome (“零失陷”, “十二个坚持”的核心要义, “银狐”病毒, “重业务、轻法治”);
* an unquoted noun phrase ending in a kind word (…平台, …项目, …工程, …工作台, …专区) that
  starts a clause or follows a verb of building or running (建设, 上线, 打造, 依托 …).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

QUOTE = re.compile(r"[“\"「]([^”\"」“\n]{2,20})[”\"」]")
# Words after a quote that show it is not an initiative's name.
NOT_AFTER = re.compile(r"^(?:的核心要义|的同时|核心要义|精神|思想|理念|原则|要求|倾向|现象|问题|病毒|事件|目标|总目标|"
                       r"重要论述|重要讲话|重要指示|讲话|口号|标语|式|型|化|字|号召|模式转变)")
NOT_BEFORE = re.compile(r"(?:做到了?|实现了?|达到|坚持|把握|树立|践行|破除|防止|克服|存在)$")
GENERIC_QUOTES = {"一站式", "一对一", "点对点", "面对面", "零距离", "全覆盖", "一把手", "最后一公里", "最多跑一次",
                  "放管服", "请进来", "走出去", "引进来", "双随机、一公开"}
KIND_WORDS = ("平台", "项目", "工程", "工作台", "专区", "系统", "小程序", "客户端", "行动", "计划", "机制", "改革", "专项行动",
              "品牌", "中心", "专栏", "驿站", "服务站", "大厅", "客厅", "试点", "示范区", "基地", "数据库", "一张图", "一张网")
KIND_RE = re.compile(r"(?:" + "|".join(sorted(map(re.escape, KIND_WORDS), key=len, reverse=True)) + r")(?:[（(][一二三四五六七八九十\d]+期[)）])?")
LEAD_VERBS = ("建设", "上线", "打造", "依托", "推进", "推出", "建立", "构建", "搭建", "运营", "升级", "启动", "开通", "建成",
              "谋划打造", "开展", "实施", "通过", "利用", "借助", "完善", "优化", "迭代", "部署", "上架", "运行")
PHRASE_CHARS = r"[\u4e00-\u9fffA-Za-z0-9“”\"（）()\-]"
GENERIC_HEADS = ("相关", "有关", "各类", "各项", "配套", "全市", "全区", "全省", "数据", "技术", "信息", "工作", "管理",
                 "服务", "系统", "业务", "重点", "重大", "该", "本", "各", "此", "有", "多个", "一体化", "智能")
PROJECT_REQUIRES_NAME = ("系统", "中心", "机制", "改革", "行动", "计划", "试点", "基地", "大厅", "专栏", "数据库")


@dataclass(frozen=True)
class InitiativeSpan:
    start: int
    end: int
    name: str


def find_initiatives(text: str, titles: list[tuple[int, int]] = ()) -> list[InitiativeSpan]:
    out: list[InitiativeSpan] = []
    inside = lambda pos: any(a <= pos < b for a, b in titles)  # noqa: E731
    for m in QUOTE.finditer(text):
        name = m.group(1).strip()
        if inside(m.start()) or not _good_quote(name, text[:m.start()], text[m.end():]):
            continue
        out.append(InitiativeSpan(m.start(), m.end(), name))
    for m in KIND_RE.finditer(text):
        if inside(m.start()):
            continue
        phrase = _phrase_before(text, m.start(), m.end())
        if phrase:
            start, name = phrase
            if not any(s.start <= start < s.end or start <= s.start < m.end() and len(s.name) >= len(name) - 2
                       for s in out if s.end <= m.end() and s.start >= start and len(name) < len(s.name)):
                out.append(InitiativeSpan(start, m.end(), name))
    return _dedupe(out)


def _good_quote(name: str, before: str, after: str) -> bool:
    if name in GENERIC_QUOTES or name.startswith(("零", "不", "重", "无", "没有")):
        return False
    if re.search(r"[、，,；;。！？]", name) or re.fullmatch(r"[\d\W_]+", name):
        return False
    if NOT_AFTER.match(after) or NOT_BEFORE.search(before):
        return False
    if re.fullmatch(r"[一二三四五六七八九十百两]+[个项大条化]\w{0,3}", name):
        return False  # “十二个坚持”, “五个一” are slogans unless a kind word follows
    return True


def _phrase_before(text: str, kind_start: int, kind_end: int) -> tuple[int, str] | None:
    """The name ending with a kind word: back to a clause start or a lead verb."""
    left = text[max(0, kind_start - 18):kind_start]
    run = re.search(PHRASE_CHARS + r"*$", left)
    run_text = run.group(0) if run else ""
    if not run_text:
        return None
    base = kind_start - len(run_text)
    candidates = []
    # after the last lead verb inside the run
    for verb in LEAD_VERBS:
        idx = run_text.rfind(verb)
        if idx >= 0:
            candidates.append(idx + len(verb))
    clause_start = base if _clause_start(text, base) else None
    start_off = max(candidates) if candidates else clause_start
    if start_off is None:
        return None
    if start_off != clause_start and clause_start is not None and not candidates:
        start_off = clause_start
    start = base + (start_off - base if start_off >= base else start_off) if start_off >= base else base + start_off
    name = text[start:kind_end].strip("“”\"")
    head = text[start:kind_start]
    if len(head.strip("“”\"")) < 2 or len(name) < 4 or len(name) > 24:
        return None
    if head.startswith(GENERIC_HEADS) and "“" not in head:
        return None
    if re.search(r"[和及与等的]", head.replace("“", "")) and "“" not in head:
        return None
    kind = text[kind_start:kind_end]
    if kind.startswith(PROJECT_REQUIRES_NAME) and "“" not in head and len(head) < 4:
        return None
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
