"""Stage 3: the spaCy pipeline is spacy.blank("zh") plus our components, registered by name."""
from __future__ import annotations

import re

import spacy

from kg.extract.agencies import Jurisdiction
from kg.extract.nlp import PIPELINE, annotate, build_pipeline


def test_components_are_registered_and_built_by_name():
    nlp = build_pipeline()
    assert nlp.lang == "zh" and tuple(nlp.pipe_names) == PIPELINE
    assert nlp.config["nlp"]["tokenizer"]["segmenter"] == "char"  # no model download
    fresh = spacy.blank("zh")
    for name in PIPELINE:
        fresh.add_pipe(name)  # any pipeline can use them by name
    assert fresh.pipe_names == list(PIPELINE)


def test_spans_of_every_kind():
    text = "区司法局组织2场《数据共享条例》专题培训会，依托“海滨智调”平台受理纠纷3468宗。"
    doc = annotate(text, Jurisdiction.parse("海滨区"))
    assert [s.text for s in doc.spans["titles"]] == ["《数据共享条例》"]
    assert [s._.agency.name for s in doc.spans["agencies"]] == ["海滨区司法局"]
    assert [s.text for s in doc.spans["quantities"]] == ["2场", "3468宗"]
    assert {s.label_ for s in doc.spans["actions"]} >= {"train"}
    assert [s.kb_id_ for s in doc.spans["initiatives"]] == ["海滨智调平台"]


def test_numbers_inside_titles_are_not_quantities():
    doc = annotate("印发《某区数据工作方案(2025—2026年)》")
    assert list(doc.spans["quantities"]) == []


def test_a_pipeline_from_another_config(tmp_path):
    from kg.extract.nlp import CONFIG

    cfg = tmp_path / "titles-only.cfg"
    cfg.write_text(re.sub(r"(?m)^pipeline = \[.*\]$", 'pipeline = ["policy_titles"]',
                          CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    nlp = build_pipeline(str(cfg))
    assert nlp.pipe_names == ["policy_titles"]
    doc = annotate("印发《某区工作要点》", nlp=nlp)
    assert [s.text for s in doc.spans["titles"]] == ["《某区工作要点》"]


def _sentences_of_every_report():
    """(sentence text, jurisdiction) of the examples, the seeds and the development set."""
    from kg.extract import jurisdiction_of
    from kg.read import discover, read_report
    from kg.extract.segment import segment
    from tests.conftest import CORPUS, EXAMPLES, SHARED

    folders = [f for f in (EXAMPLES, CORPUS, SHARED / "corpus-dev") if (f / "manifest.csv").is_file()]
    found, _ = discover(folders)
    for path, meta in found:
        report = read_report(path, meta)
        where = jurisdiction_of(report)
        for s in segment(report.text, report.meta.year, report.meta.title).sentences:
            yield s.text, where


def test_marks_on_plain_text_are_the_spans_of_the_doc():
    """find_marks runs our components on the plain text (no spaCy doc) where every character is
    a token: on every sentence of the reports here its marks are the doc's spans, extensions and
    kb ids included (with and without the authority list)."""
    from kg.authority import default_authority
    from kg.extract.nlp import Mark, find_marks

    nlp = build_pipeline()
    count = 0
    for authority in (default_authority(), None):
        for text, where in _sentences_of_every_report():
            doc = annotate(text, where, nlp, authority)
            expected = {key: [Mark.of(span) for span in spans] for key, spans in doc.spans.items()}
            assert find_marks(text, where, nlp, authority) == expected, text
            count += 1
    assert count > 100


def test_known_titles_match_as_the_phrase_matcher_does():
    """Titles with a space (民法典 人格权编) match their characters without it, like spaCy's
    PhraseMatcher over character tokens; overlapping titles are all found."""
    from kg.authority import Authority, LawRecord
    from kg.extract.nlp import KnownTitles, Mark, find_marks

    automaton = KnownTitles(["民法典 人格权编", "民法典", "中华人民共和国民法典", "两个  空格法"])
    text = "学习中华人民共和国民法典人格权编和两个空格法"
    assert automaton.find(text) == [(2, 12), (9, 12), (9, 16)]
    authority = Authority([LawRecord("民法典 人格权编", "中华人民共和国民法典 人格权编", "law")], "test")
    for sentence in (text, "学习 民法典人格权编。"):  # the second goes through the doc (it has a space)
        doc = annotate(sentence, authority=authority)
        assert find_marks(sentence, authority=authority) == {
            key: [Mark.of(s) for s in spans] for key, spans in doc.spans.items()}


def test_extraction_makes_no_spacy_doc_for_text_without_whitespace(monkeypatch):
    """The pipeline's tokenizer (a spaCy doc per sentence was most of an extraction's CPU) runs
    only for sentences with whitespace."""
    from kg.extract import extract
    from kg.read import ReportMeta, Report

    nlp = build_pipeline()
    calls = []
    real = nlp.tokenizer
    monkeypatch.setattr(nlp, "tokenizer", lambda text: calls.append(text) or real(text))
    text = "海滨区司法局2025年法治政府建设情况报告\n一、主要工作\n区司法局组织2场《数据共享条例》专题培训会。\n落实 民法典。\n"
    report = Report(ReportMeta(id="t", agency="海滨区司法局", year=2025), text, "t.txt")
    ex = extract(report)
    assert ex.documents and ex.agencies
    assert calls == ["落实 民法典。"]
