"""Report ids → graph IRIs: two different ids never name one graph (issue 11, point 2)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.ingest import ingest_paths
from kg.parallel import ingest_paths_parallel
from kg.store import open_store
from kg.graph.vocab import ID, report_graph, report_iri, safe_id

from .conftest import EXAMPLES

SAFE_CHARS = st.sampled_from("abcxyzABCXYZ0189-_.")
SAFE_IDS = st.text(SAFE_CHARS, min_size=1, max_size=30)
# any id at all, with the characters a hostile manifest would use: the escape character, spaces,
# percent signs, CJK, and ids that look like the escaped form of another id
ANY_IDS = st.one_of(
    st.text(min_size=1, max_size=30),
    st.text(st.sampled_from("a-b_.~%20E5 光明区/#"), min_size=1, max_size=20),
    SAFE_IDS,
)


@given(SAFE_IDS)
def test_an_already_safe_id_is_its_own_iri_part(report_id):
    assert safe_id(report_id) == report_id
    assert str(report_graph(report_id)) == f"{ID}graph/{report_id}"


@given(ANY_IDS, ANY_IDS)
def test_two_different_ids_never_map_to_one_graph(a, b):
    if a != b:
        assert safe_id(a) != safe_id(b)
        assert report_graph(a) != report_graph(b) and report_iri(a) != report_iri(b)


@given(ANY_IDS)
def test_the_iri_part_is_plain_ascii_an_iri_and_a_url_path_take_as_is(report_id):
    from urllib.parse import quote, unquote

    from pyoxigraph import NamedNode

    part = safe_id(report_id)
    assert part.isascii() and part == quote(part, safe="~") == unquote(part)
    NamedNode(str(report_graph(report_id)))  # Oxigraph accepts it as an IRI


def test_the_id_that_used_to_collide_with_a_literal_one():
    # the old mapping sent "a b" to "a-b-7dbde935", an id that is safe as written
    assert safe_id("a-b-7dbde935") == "a-b-7dbde935"
    assert safe_id("a b") != "a-b-7dbde935"
    assert report_graph("a b") != report_graph("a-b-7dbde935")


def _two_colliding_rows(folder):
    folder.mkdir()
    text = (EXAMPLES / "haibin-sfj-2025.txt").read_text(encoding="utf-8")
    (folder / "one.txt").write_text(text, encoding="utf-8")
    (folder / "two.txt").write_text(text.replace("评查案卷210宗", "评查案卷211宗"), encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "id,file,title,agency,jurisdiction,year,url\n"
        "a b,one.txt,海滨区司法局2025年法治政府建设年度报告,海滨区司法局,海滨区,2025,\n"
        "a-b-7dbde935,two.txt,海滨区司法局2025年法治政府建设年度报告,海滨区司法局,海滨区,2025,\n",
        encoding="utf-8")
    return folder


@pytest.mark.parametrize("jobs", [0, 2])
def test_two_reports_whose_ids_used_to_collide_get_two_graphs(tmp_path, jobs):
    folder = _two_colliding_rows(tmp_path / "reports")
    store = open_store(tmp_path / "store")
    try:
        summary = (ingest_paths([folder], store) if jobs == 0
                   else ingest_paths_parallel([folder], store, jobs=jobs))
        assert summary.ok and len(summary.stored) == 2
        graphs = set(store.graphs())
        assert graphs == {str(report_graph("a b")), str(report_graph("a-b-7dbde935"))}
        for report_id in ("a b", "a-b-7dbde935"):
            ids = store.select_rows(f"SELECT ?id WHERE {{ GRAPH <{report_graph(report_id)}> "
                                    f"{{ ?r <http://purl.org/dc/terms/identifier> ?id }} }}")
            assert [row["id"] for row in ids] == [report_id]  # each graph holds its own report only
    finally:
        store.close()


@pytest.mark.parametrize("jobs", [0, 2])
def test_two_rows_for_one_graph_are_an_error_naming_both_rows(tmp_path, jobs):
    folder = _two_colliding_rows(tmp_path / "reports")
    manifest = folder / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("a-b-7dbde935,", "a b,"), encoding="utf-8")
    store = open_store(tmp_path / "store")
    try:
        summary = (ingest_paths([folder], store) if jobs == 0
                   else ingest_paths_parallel([folder], store, jobs=jobs))
        assert len(summary.stored) == 1 and [o.report_id for o in summary.failed] == ["a b"]
        error = summary.failed[0].error
        assert "\n" not in error and "'a b'" in error, error
        assert f"{manifest}:3" in error and f"{manifest}:2" in error, error  # both rows
        assert set(store.graphs()) == {str(report_graph("a b"))}
    finally:
        store.close()
