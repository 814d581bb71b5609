"""Stage 4, facts: run the spaCy pipeline over a segmented report and collect facts with spans.

``extract(report)`` → :class:`kg.extract.facts.Extraction`. Names are still as written here;
``kg.resolve`` turns them into canonical nodes.
"""
from __future__ import annotations

import re

from kg.extract.agencies import SELF_REFERENCE, Jurisdiction
from kg.authority import default_authority
from kg.extract.actions import governing_verbs
from kg.extract.facts import (ActionFact, AgencyMentionFact, CommitmentFact, DocumentMention, Extraction, InitiativeFact,
                    QuantityFact)
from kg.gcpause import paused_gc
from kg.limits import Budget
from kg.extract.nlp import Marker, build_pipeline
from kg.extract.quantities import indicators
from kg.read import Report
from kg.extract.segment import Segmented, Sentence, segment
from kg.extract.titles import defined_abbreviation, is_generic_short, level_of, strip_draft

TARGET_CUE = re.compile(r"预期目标|主要目标|目标是|目标为|力争|确保")
PLAN_VERB = re.compile(r"推动|推进|加快|加强|持续|深化|开展|完善|健全|落实|组织|印发|制定|起草|提升|强化|深入|"
                       r"实施|建立|构建|打造|优化|扩大|确保|力争|做好|抓好|实现|围绕|聚焦|坚持|统筹|探索|谋划|筹备|启动")
UNBRACKETED = re.compile(
    r"(?:组织起草|研究起草|起草|研究制定|制定|制订|修订|印发|出台|完善|贯彻落实|落实|实施)"
    r"(?P<title>(?:中华人民共和国|[\u4e00-\u9fff]{2,3}(?:省|市|区|县))[\u4e00-\u9fff]{2,24}?"
    r"(?:管理办法|实施办法|暂行办法|办法|条例|规定|实施细则|细则|实施方案|工作方案|方案|意见|规划|指引|清单))"
    r"(?=[，,。；;、]|$)")


def jurisdiction_of(report: Report) -> Jurisdiction:
    meta = report.meta
    return Jurisdiction.parse(meta.agency, meta.title, meta.jurisdiction)


FACT_KINDS = ("documents", "agencies", "quantities", "actions", "initiatives", "commitments")


def extract(report: Report, segmented: Segmented | None = None, budget: Budget | None = None) -> Extraction:
    """The facts of one report, within ``budget`` (by default the limits set in the environment,
    see :mod:`kg.limits`): :class:`~kg.limits.LimitExceeded` as soon as a sentence or the report
    has too many mentions of one kind, or the report has taken too long.

    The cyclic garbage collector waits while a report is extracted (:mod:`kg.gcpause`): the
    marks and facts it makes hold no cycles."""
    with paused_gc():
        return _extract(report, segmented, budget)


def _extract(report: Report, segmented: Segmented | None, budget: Budget | None) -> Extraction:
    budget = budget or Budget.from_env()
    seg = segmented or segment(report.text, report.meta.year, report.meta.title)
    budget.sentence_count(len(seg.sentences))
    budget.clock("segmenting")
    ex = Extraction(report=report, segmented=seg)
    where = jurisdiction_of(report)
    marker = Marker(where, build_pipeline(), default_authority())  # the authority looked up once a report
    lines = _line_numbers(report.text)
    docs, line_of = [], []
    for s in seg.sentences:  # the mentions each component marked, counted before any more work
        marks = marker(s.text)  # no spaCy doc kept: its tokens were 2.3 GB for an 18 MB report
        line = lines(s.start)
        for key, found in marks.items():
            if found:  # no mention: no limit to pass (a count of 0 changes no total)
                budget.sentence(key, len(found), line)
        budget.clock("annotating")
        docs.append(marks)
        line_of.append(line)
    known_titles = _bracketed_titles(docs)
    abbreviations: dict[str, str] = {}
    facts = [(kind, getattr(ex, kind)) for kind in FACT_KINDS]  # the lists _sentence_facts appends to
    for sentence, marks, line in zip(seg.sentences, docs, line_of):
        before = [len(found) for _, found in facts]
        _sentence_facts(ex, sentence, marks, where, known_titles, abbreviations)
        for (kind, found), count in zip(facts, before):  # bare titles, self-references …
            total = len(found)
            if total == count:
                continue  # nothing new: this total passed at the sentence before
            if total - count > budget.per_sentence:
                budget.sentence(kind, total - count, line)
            budget.total(kind, total, line)
        budget.clock("extracting facts")
    return ex


def _line_numbers(text: str):
    """offset → its line number (1-based) in ``text``."""
    import bisect

    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return lambda offset: bisect.bisect_right(starts, offset)


def _bracketed_titles(docs) -> list[str]:
    titles = {strip_draft(span._.title.title) for marks in docs for span in marks["titles"]}
    return sorted((t for t in titles if len(t) >= 6 and not is_generic_short(t)), key=len, reverse=True)


def _sentence_facts(ex: Extraction, sentence: Sentence, marks: dict, where: Jurisdiction, known_titles: list[str],
                    abbreviations: dict[str, str]) -> None:
    """The facts of one sentence from its marks (``kg.extract.nlp.Marker``: ``doc.spans`` without the doc)."""
    text, base, role = sentence.text, sentence.start, sentence.role
    plan = role == "plan"
    year = ex.plan_year if plan else ex.year

    # documents: 《》 titles, then bare titles the text makes certain
    title_spans = [(s.start_char, s.end_char, s._.title) for s in marks["titles"]]
    outer_index: dict[int, int] = {}
    local: list[tuple[int, int, int]] = []  # (start, end, document index) of top-level titles
    for start, end, t in title_spans:
        mention = DocumentMention(
            sentence=sentence.index, start=base + start, end=base + end, title=t.title,
            level=level_of(t.title, text[:start], text[end:], text), title_level=level_of(t.title),
            nested=t.nested)
        short = defined_abbreviation(text[end:])
        if short:
            abbreviations[short] = strip_draft(t.title)
        if t.title in abbreviations and not t.nested and abbreviations[t.title] != strip_draft(t.title):
            mention.abbreviation_of = abbreviations[t.title]
        elif is_generic_short(t.title):
            mention.abbreviation_of = _latest_with_suffix(ex, t.title) or ""
        if t.nested:
            mention.container = next((outer_index[s] for s, e, c in title_spans
                                      if not c.nested and s < start < e and s in outer_index), None)
        index = len(ex.documents)
        ex.documents.append(mention)
        if not t.nested:
            outer_index[start] = index
            local.append((start, end, index))
    masked = _mask(text, [(s, e) for s, e, _ in title_spans])
    for title in known_titles:
        if title not in masked:
            continue
        for start in _occurrences(title, masked):
            if not any(s <= start < e for s, e, _ in local):
                local.append(_bare(ex, sentence, start, start + len(title), title, text))
    for span in marks.get("laws", []):  # unbracketed laws and regulations (kg.extract.laws), full title in kb_id_
        s, e = span.start_char, span.end_char
        if not any(a <= s < b or s <= a < e for a, b, _ in local):
            local.append(_bare(ex, sentence, s, e, span.kb_id_, text))
    for m in UNBRACKETED.finditer(masked):
        s, e = m.start("title"), m.end("title")
        if not any(a <= s < b or s <= a < e for a, b, _ in local):
            local.append(_bare(ex, sentence, s, e, m.group("title"), text))
    local.sort()

    # agencies; a body named inside a title is the document's issuer, not a mention of the report
    for span in marks["agencies"]:
        a = span._.agency
        fact = AgencyMentionFact(sentence.index, base + span.start_char, base + span.end_char,
                                 a.surface, a.name, a.region, a.admin_level, a.is_government)
        title = next(((s, i) for s, e, i in local if s < span.start_char < e), None)
        if title is None:
            ex.agencies.append(fact)
        elif span.start_char in (title[0] + 1, title[0] + 3) and _issues(text[span.end_char:]):
            ex.documents[title[1]].issuer = fact
    for m in SELF_REFERENCE.finditer(masked):
        if m.group(0).endswith(("区", "市", "省")):
            continue
        ex.agencies.append(AgencyMentionFact(sentence.index, base + m.start(), base + m.end(), m.group(0),
                                             ex.report.meta.agency, "", "", True, reporting=True))

    # actions on documents
    governed = governing_verbs(text, [(s, e) for s, e, _ in local], _verbs(marks)) if local else {}
    for i, found in governed.items():
        doc_index = local[i][2]
        if ex.documents[doc_index].abbreviation_of == "":
            continue
        for verb in found:
            action = "plan" if plan else verb.action
            if any(a.document == doc_index and a.action == action for a in ex.actions[-8:]):
                continue
            ex.actions.append(ActionFact(sentence.index, base + verb.start, base + verb.end, action, doc_index,
                                         year, verb.text))

    # quantities: targets in plan sections and target paragraphs, metrics elsewhere
    target_paragraph = plan or bool(TARGET_CUE.search(text) and re.search(r"目标", text))
    found = [span._.quantity for span in marks["quantities"]]
    for q, indicator in zip(found, indicators(text, found)):
        kind = "target" if target_paragraph else "metric"
        ex.quantities.append(QuantityFact(kind, sentence.index, base + q.start, base + q.end, q.text,
                                          indicator or q.text, q.value, q.unit, q.comparator, year, q.upper,
                                          q.qualifier))

    # initiatives
    for span in marks["initiatives"]:
        ex.initiatives.append(InitiativeFact(sentence.index, base + span.start_char, base + span.end_char,
                                             span.kb_id_))

    # commitments: planned actions of plan sections
    if plan and len(text) >= 6 and PLAN_VERB.search(text):
        docs_here = [i for _, _, i in local if ex.documents[i].abbreviation_of != ""]
        ex.commitments.append(CommitmentFact(sentence.index, sentence.start, sentence.end, text, ex.plan_year,
                                             docs_here))


def _occurrences(needle: str, text: str):
    """Where ``needle`` occurs in ``text``, left to right, not overlapping (as ``re.finditer`` of
    the escaped needle, without compiling a pattern per title and sentence)."""
    start = text.find(needle)
    while start >= 0:
        yield start
        start = text.find(needle, start + len(needle))


def _issues(after: str) -> bool:
    """A body at the start of a title issues it: 某市人民政府关于…, 某局印发…, 某部令."""
    return bool(re.match(r"(?:办公厅|办公室)?(?:关于|印发|令|第|公告|通告|决定|[、 ])", after))


def _verbs(marks):
    from kg.extract.actions import Verb

    return [Verb(s.start_char, s.end_char, s.text, s.label_) for s in marks["actions"]]


def _bare(ex: Extraction, sentence: Sentence, start: int, end: int, title: str, text: str) -> tuple[int, int, int]:
    index = len(ex.documents)
    ex.documents.append(DocumentMention(
        sentence=sentence.index, start=sentence.start + start, end=sentence.start + end, title=title,
        level=level_of(title, text[:start], text[end:], text), title_level=level_of(title), bracketed=False))
    return (start, end, index)


def _latest_with_suffix(ex: Extraction, short: str) -> str | None:
    kind = strip_draft(short).replace("草案", "")
    for mention in reversed(ex.documents):
        full = strip_draft(mention.title)
        if mention.abbreviation_of is None and full != kind and full.endswith(kind) and not mention.nested:
            return full
    for mention in reversed(ex.documents):
        full = strip_draft(mention.title)
        if mention.abbreviation_of is None and full != kind and full.endswith(kind):
            return full
    return None


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            chars[i] = "\u3000"
    return "".join(chars)
