"""Property tests: arbitrary Unicode and shuffled fragments of reports never crash a stage,
spans stay inside the text, and every graph conforms to the shapes. (Long runs: fuzz/.)"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import report_graph_of
from kg.read import ReadError, Report, ReportMeta, decode, html_to_text
from kg.extract.segment import segment
from kg.graph.validate import validate

from .conftest import EXAMPLES

FRAGMENTS = [line for path in sorted(EXAMPLES.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
PIECES = [p for line in FRAGMENTS for p in line.replace("，", "，|").replace("。", "。|").split("|") if p]

texts = st.one_of(
    st.text(min_size=0, max_size=400),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join),
    st.lists(st.sampled_from(FRAGMENTS + ["\n", "《", "》", "〈", "“", "”", "（一）", "一、", "5%", "万", "以上"]),
             min_size=1, max_size=40).map("".join),
)
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # examples: the profile (conftest)


@FAST
@given(st.binary(max_size=600))
def test_decode_reads_text_or_says_why(data):
    try:
        text, encoding = decode(data, "fuzz")
    except ReadError as err:
        assert str(err).startswith("fuzz: ")
    else:
        assert isinstance(text, str) and encoding


@FAST
@given(st.text(max_size=300))
def test_html_never_crashes(markup):
    assert isinstance(html_to_text("<html><body>" + markup + "</body></html>"), str)


@FAST
@given(texts)
def test_segments_stay_inside_the_text(text):
    seg = segment(text, 2025)
    for s in seg.sentences:
        assert 0 <= s.start <= s.end <= len(text)
        assert text[s.start:s.end] == s.text


@FAST
@given(texts)
def test_graphs_always_conform(text):
    report = Report(meta=ReportMeta(id="fuzz", title="某区司法局2025年法治政府建设年度报告", agency="海滨区司法局",
                                    jurisdiction="海滨区", year=2025), text=text)
    graph = report_graph_of(report)
    result = validate(graph)
    assert result.conforms, result.summary()
