"""Stage 2, segment: sections, their roles, and sentences with character offsets.

A government report numbers its parts 一、二、三、 (level 1) and （一）（二） (level 2); each
level-1 part has a role read from its heading: ``review`` (工作总结, 总体情况, 主要工作),
``problems`` (存在问题, 不足, 改进情况) or ``plan`` (下一步工作安排, 2026年工作计划,
今年要重点做好). Text before the first heading is the ``preamble``. Page furniture of web
pages (网站首页, 【字号】, 打印, 来源：…) is recognised as ``noise`` and yields no sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十百零〇"
LEVEL1 = re.compile(rf"^\s*(?:第[{CN_NUM}]+[部分章节]\s*|[{CN_NUM}]+\s*[、.．]\s*)")
LEVEL2_STRICT = re.compile(rf"^\s*[（(][{CN_NUM}]+[）)]\s*")
SENTENCE_END = re.compile(r"[。！？!?]+[”’」』]?|\n")
# A run longer than this without a full stop (real sentences: at most 639 characters) is cut
# after its last comma, semicolon or space within the length, else at the length: a 5 MB line
# becomes sentences the pipeline can take, not one text over spaCy's max_length (E088).
MAX_SENTENCE_CHARS = 2000
SOFT_BREAK = re.compile(r"[，,；;、：:\s\u3000]")

# Words that make a heading a plan on their own, and words that do so only with a coming year.
PLAN_WORDS = re.compile(r"下一步|工作计划|工作安排|工作打算|工作思路|工作设想|工作要点|今年要|今年工作|明年|主要预期目标|预期目标|"
                        r"目标任务|总体要求|努力方向|工作展望")
WEAK_PLAN_WORDS = re.compile(r"计划|安排|打算|展望|重点工作|重点任务|部署")
PROBLEM_WORDS = re.compile(r"问题|不足|差距|短板|薄弱|改进情况|困难|挑战")
REVIEW_WORDS = re.compile(r"总结|总体情况|主要工作|工作情况|进展|成效|成绩|回顾|主要做法|主要举措|开展情况|落实情况|履职情况")

NOISE_LINE = re.compile(
    r"^\s*(?:网站首页|首页|信息公开|政务服务|互动交流|政民互动|走进\S{1,6}|网站地图|无障碍|English|登录|注册|"
    r"打印(?:本页)?|关闭(?:窗口|本页)?|下载|全屏|分享(?:到)?|收藏|返回顶部|上一篇.*|下一篇.*|"
    r"【\s*字号.*|字号[:：].*|【\s*(?:打印|关闭|大|中|小)\s*】.*|"
    r"(?:来源|发布时间|时间|发布机构|浏览次数|访问量|作者|信息来源|文章来源|责任编辑|索引号|分类|发文机关|成文日期|发布日期|主题分类|文号)[:：].*|"
    r"相关政策法规.*|相关解读.*|相关链接.*|政策解读|扫一扫.*|版权所有.*|主办单位.*|承办单位.*|网站标识码.*|"
    r"[粤京沪浙苏鲁豫川渝闽湘鄂皖赣冀晋辽吉黑陕甘青琼贵云桂藏宁新蒙津]ICP备.*|.*公网安备.*|当前位置[:：].*|"
    r"[大中小]\s*[大中小]?\s*[大中小]?)\s*$"
)


@dataclass(frozen=True)
class Section:
    index: int
    heading: str
    start: int
    end: int
    role: str
    level: int = 1


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    section: str
    role: str
    subsection: str = ""
    paragraph: int = 0
    heading: bool = False


@dataclass(frozen=True)
class Segmented:
    text: str
    sections: tuple[Section, ...]
    sentences: tuple[Sentence, ...]
    title_line: str = ""


def heading_text(line: str) -> str:
    """The heading part of a heading line: up to the first full stop."""
    match = re.search(r"[。！？]", line)
    return (line[: match.start()] if match else line).strip()


def section_role(heading: str, report_year: int | None = None) -> str:
    """The role of a level-1 section from its heading words (and the year it names)."""
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", heading)]
    future = bool(report_year and years and max(years) > report_year)
    if PLAN_WORDS.search(heading) and not PROBLEM_WORDS.search(heading):
        return "plan"
    if PROBLEM_WORDS.search(heading):
        return "problems"
    if future and (WEAK_PLAN_WORDS.search(heading) or not REVIEW_WORDS.search(heading)):
        return "plan"
    return "review"


NAV_WORDS = {"网站首页", "首页", "信息公开", "政务服务", "互动交流", "政民互动", "网站地图", "无障碍", "English", "登录",
             "注册", "打印", "打印本页", "关闭", "关闭窗口", "下载", "全屏", "分享", "收藏", "返回顶部", "返回", "大", "中",
             "小", "【大】", "【中】", "【小】", "【打印】", "【关闭】", "【下载】", "字号", "微信", "微博", "分享到"}


BREADCRUMB_MARK = re.compile(r"[>＞»›]")
CLAUSE_MARK = re.compile(r"[。；，]")
NAV_SEPARATOR = re.compile(r"[\s|｜丨/·•]+")


def is_noise(line: str) -> bool:
    """Navigation, buttons, footers and source lines of a web page."""
    line = line.strip()
    if not line or NOISE_LINE.match(line):
        return True
    if len(line) < 80 and len(BREADCRUMB_MARK.findall(line)) >= 2 and not CLAUSE_MARK.search(line):
        return True  # a breadcrumb: 首页 > 信息公开 > 法治政府建设
    tokens = [t for t in NAV_SEPARATOR.split(line) if t]
    if tokens == [line]:  # one token, the line itself: NOISE_LINE said no above
        return line in NAV_WORDS
    return bool(tokens) and all(t in NAV_WORDS or NOISE_LINE.match(t) for t in tokens)


def segment(text: str, report_year: int | None = None, title: str = "") -> Segmented:
    """Split a report text into sections and sentences; offsets index ``text``."""
    sections: list[Section] = []
    sentences: list[Sentence] = []
    section_heading, role, subsection = "", "preamble", ""
    section_start = 0
    title_line = ""
    offset = 0
    paragraph = 0
    for line_no, line in enumerate(text.split("\n")):
        line_start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        if is_noise(stripped):
            continue
        if not title_line and line_no < 5 and not sentences and _looks_like_title(stripped, title):
            title_line = stripped
            continue
        paragraph += 1
        is_heading = False
        if LEVEL1.match(stripped) and len(heading_text(stripped)) <= 60:
            if sections:
                sections[-1] = _close(sections[-1], line_start)
            elif section_start < line_start and sentences:
                sections.append(Section(0, "", 0, line_start, "preamble", 1))
            section_heading = heading_text(stripped)
            role = section_role(section_heading, report_year)
            subsection = ""
            sections.append(Section(len(sections), section_heading, line_start, len(text), role, 1))
            is_heading = heading_text(stripped) == stripped.rstrip("。")
        elif LEVEL2_STRICT.match(stripped):
            subsection = heading_text(stripped)
            sub_role = _sub_role(subsection, role, report_year)
            if sub_role != role and role in ("review", "preamble"):
                role_for_line = sub_role
            else:
                role_for_line = role
            sentences += _sentences(text, line_start, line, section_heading, role_for_line, subsection,
                                    paragraph, len(sentences), heading_first=True)
            continue
        sentences += _sentences(text, line_start, line, section_heading, role, subsection, paragraph,
                                len(sentences), heading_first=is_heading)
    if sections:
        sections[-1] = _close(sections[-1], len(text))
    return Segmented(text, tuple(sections), tuple(sentences), title_line)


def _sub_role(heading: str, role: str, report_year: int | None) -> str:
    if PLAN_WORDS.search(heading) and re.search(r"(?:19|20)\d{2}年|下一步|今年", heading):
        return "plan"
    return role


def _close(section: Section, end: int) -> Section:
    return Section(section.index, section.heading, section.start, end, section.role, section.level)


def _looks_like_title(line: str, title: str) -> bool:
    if title and line.replace(" ", "") == title.replace(" ", ""):
        return True
    return bool(re.search(r"(?:19|20)\d{2}年.{0,20}(?:报告|总结|计划|要点)$", line)) and len(line) <= 80 \
        and not re.search(r"[，,。；]", line)


def _sentences(text: str, line_start: int, line: str, section: str, role: str, subsection: str,
               paragraph: int, first_index: int, heading_first: bool = False) -> list[Sentence]:
    out: list[Sentence] = []
    start = 0
    pieces = []
    for match in SENTENCE_END.finditer(line):
        pieces.append((start, match.end()))
        start = match.end()
    if start < len(line):
        pieces.append((start, len(line)))
    if any(b - a > MAX_SENTENCE_CHARS for a, b in pieces):
        pieces = [cut for a, b in pieces for cut in _cut_long(line, a, b)]
    for number, (a, b) in enumerate(pieces):
        chunk = line[a:b]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk.rstrip())
        if trail <= lead:
            continue
        s, e = line_start + a + lead, line_start + a + trail
        out.append(Sentence(first_index + len(out), s, e, text[s:e], section, role, subsection, paragraph,
                            heading=heading_first and number == 0))
    return out


def _cut_long(line: str, a: int, b: int) -> list[tuple[int, int]]:
    """``line[a:b]`` as pieces of at most :data:`MAX_SENTENCE_CHARS`, each cut after the last
    soft break (，；、 or a space) in its second half when there is one."""
    cuts = []
    while b - a > MAX_SENTENCE_CHARS:
        end = a + MAX_SENTENCE_CHARS
        breaks = [m.end() for m in SOFT_BREAK.finditer(line, a + MAX_SENTENCE_CHARS // 2, end)]
        cut = breaks[-1] if breaks else end
        cuts.append((a, cut))
        a = cut
    cuts.append((a, b))
    return cuts
