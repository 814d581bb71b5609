"""What agencies do with documents: the verbs, and which titles they govern.

A verb governs a title (or a chain of titles 《A》《B》等) when it stands in the same clause,
either before it (传达学习《…》, 清理与《…》不相符) or right after it (《…》宣贯培训会,
《…》专题学习, 《…》于2025年1月10日实施). Verbs inside a title are part of its name.

Two more patterns of government reports: a title cited as the basis of work (按照《…》要求,
依照《…》规定) is implemented; a title whose own clause only says it came into force
(《…》颁布实施后，…组织学习; 以《…》修订施行为契机，开展宣传) is acted on by the verbs of the next
clause.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.titles import mask_titles

VERBS = {
    # longest first within each action; "印发实施" is issuing, not implementing
    "issue": ("印发实施", "印发", "出台", "发布", "颁布", "公布", "下发", "制发", "上线"),
    "implement": ("贯彻落实", "贯彻实施", "贯彻执行", "落地实施", "组织实施", "对标对表", "落实见效", "严格执行",
                  "落实", "实施", "执行", "贯彻", "对标", "遵循", "落地", "践行", "执法检查", "对照"),
    "study": ("传达学习", "专题学习", "学习贯彻", "集中学习", "学习领会", "深入学习", "研读", "学习", "研学", "学深悟透",
              "专题研讨", "交流研讨", "领学", "导学", "自学", "学法", "学好"),
    "publicise": ("宣传贯彻", "宣贯", "宣传", "普法", "宣讲", "解读", "知识竞赛", "有奖竞答", "以案释法", "普及", "送法", "进机关", "进社区", "进企业", "进校园",
                  "进乡村", "进农村", "进网络", "进万家", "进家庭", "进单位"),
    "train": ("专题培训", "培训", "专题讲座", "讲座", "轮训", "知识测试", "学法考试", "考试", "测试", "专题辅导", "辅导"),
    # the document's own coming into force: nobody's action, and it hides 实施 inside it
    "none": ("颁布实施", "公布施行", "正式实施", "正式施行", "施行", "生效", "出台实施以来", "实施以来", "修订施行",
             "修正施行", "修订实施", "颁布施行"),
    "clear": ("专项清理", "清理", "清查", "不相符", "不一致", "相抵触", "违反"),
    "draft": ("研究制定", "起草", "草拟", "制定", "修订", "修改", "编制", "调研论证", "论证"),
}
_ALL = sorted(((v, a) for a, vs in VERBS.items() for v in vs), key=lambda x: -len(x[0]))
VERB_RE = re.compile("|".join(re.escape(v) for v, _ in _ALL))
ACTION_OF = dict(_ALL)
CLAUSE_BREAK = re.compile(r"[，,；;。：:！？!?]")
CHAIN_GAP = re.compile(r"^[、和与及\s]*$")
ABBREV_PAREN = re.compile(r"^\s*[（(][^（）()]{0,20}[)）]")
RIGHT_WINDOW = 12
LEFT_WINDOW = 16
# A title cited as the basis of work: 按照《…》要求, 依照《…》规定 (the work implements it).
BASIS_BEFORE = re.compile(r"(?:按照|依照|依据|遵照|根据|遵循)$")
BASIS_AFTER = re.compile(r"^(?:等[\u4e00-\u9fff]{0,6})?(?:的)?(?:有关|相关)?(?:要求|规定|精神|部署)")
# The words around a title that only say it came into force (颁布实施后, 修订施行为契机).
IN_FORCE = re.compile(r"(?:颁布实施|公布施行|正式实施|正式施行|施行|生效|修订施行|修正施行|修订实施|颁布施行)"
                      r"(?:以来|后|之际|为契机|[一二三四五六七八九十\d]+周年)?"
                      r"|(?:颁布|出台|印发|公布)(?:以来|后|之际|[一二三四五六七八九十\d]+周年)")
NEXT_CLAUSE_ACTIONS = ("implement", "study", "publicise", "train")


@dataclass(frozen=True)
class Verb:
    start: int
    end: int
    text: str
    action: str


def find_verbs(text: str) -> list[Verb]:
    """Action verbs outside titles (words that only look like actions are dropped)."""
    return [Verb(start, end, text[start:end], action) for start, end, action in verb_offsets(text)]


def verb_offsets(text: str) -> list[tuple[int, int, str]]:
    """(start, end, action) of each verb :func:`find_verbs` finds, without making the objects."""
    out = []
    for m in VERB_RE.finditer(mask_titles(text)):
        action = ACTION_OF[m.group(0)]
        if action != "none":
            out.append((m.start(), m.end(), action))
    return out


def chains(titles: list[tuple[int, int]], text: str) -> list[list[int]]:
    """Group titles written one after another (《A》《B》、《C》) into chains of indices."""
    groups: list[list[int]] = []
    for i, (start, _) in enumerate(titles):
        if groups and CHAIN_GAP.match(text[titles[groups[-1][-1]][1]:start]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def governing_verbs(text: str, titles: list[tuple[int, int]], verbs: list[Verb]) -> dict[int, list[Verb]]:
    """For each title (by index), the verbs that act on it."""
    result: dict[int, list[Verb]] = {}
    for chain in chains(titles, text):
        first, last = titles[chain[0]], titles[chain[-1]]
        left_text = text[:first[0]]
        breaks = list(CLAUSE_BREAK.finditer(left_text))
        clause_start = max(breaks[-1].end() if breaks else 0, first[0] - LEFT_WINDOW)
        right_start = last[1]
        paren = ABBREV_PAREN.match(text[right_start:])
        if paren:
            right_start += paren.end()
        tail = text[right_start:]
        stop = CLAUSE_BREAK.search(tail)
        right_end = right_start + min(stop.start() if stop else len(tail), RIGHT_WINDOW)
        found = [v for v in verbs if clause_start <= v.start and v.end <= first[0]]
        found += [v for v in verbs if right_start <= v.start and v.end <= right_end
                  and not _another_title_between(titles, right_start, v.start)]
        before = text[max(0, first[0] - 6):first[0]].lstrip("，,；;。、")
        if BASIS_BEFORE.search(before) and BASIS_AFTER.match(tail):
            found.append(Verb(first[0] - 2, first[0], text[first[0] - 2:first[0]], "implement"))
        only_issued = found and all(v.action == "issue" and v.start >= right_start for v in found)
        if (not found or only_issued) and stop is not None and IN_FORCE.search(tail[:stop.start()]):
            # 《…》颁布实施后，组织学习: the next clause acts on it
            nxt_start = right_start + stop.end()
            nxt = CLAUSE_BREAK.search(text, nxt_start)
            nxt_end = nxt.start() if nxt else len(text)
            found = [v for v in verbs if nxt_start <= v.start and v.end <= nxt_end and v.action in NEXT_CLAUSE_ACTIONS
                     and not _another_title_between(titles, nxt_start, v.start)]
        if found:
            for i in chain:
                result[i] = found
    return result


def _another_title_between(titles: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a <= s < b for s, _ in titles)


IMPLEMENTS_INSIDE = re.compile(r"(?:贯彻落实|贯彻实施|贯彻|落实|实施)[〈<《]([^〉>》]+)[〉>》]")


def implemented_inside(title: str) -> list[str]:
    """Titles a document says it implements: 深圳市贯彻落实〈政务数据共享条例〉实施方案 → 政务数据共享条例."""
    return [m.group(1) for m in IMPLEMENTS_INSIDE.finditer(title)]
