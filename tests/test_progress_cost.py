"""Progress checks after a batch at a cost that follows the bodies it touched (issue 14): a body
with one year in the store is not read for facts nor written, the facts of the others are read
from their own report graphs only, and the checks stay those of a full recomputation."""
from __future__ import annotations

import csv
import re

import pytest

from kg.ingest import ingest_paths
from kg.progress import progress_graph, refresh_after
from kg.store import open_store
from kg.graph.vocab import entity_iri, report_graph

from .conftest import EXAMPLES
from .test_progress import one_report, progress_state

FACTS = re.compile(r"pkg:(?:Target|Metric|Commitment|Action|Mention)\b")


class Spy:
    """What refresh_after asks of a real store: its queries and its writes."""

    def __init__(self, store, monkeypatch):
        self.queries: list[str] = []
        self.writes: list[str] = []
        for name in ("select", "select_rows"):
            real = getattr(store, name)
            monkeypatch.setattr(store, name, self._record(real, self.queries))
        for name in ("update", "bulk_replace", "drop_graph", "replace_graph", "replace_ntriples"):
            real = getattr(store, name)
            monkeypatch.setattr(store, name, self._record(real, self.writes, name))

    @staticmethod
    def _record(real, log: list, name: str = ""):
        def call(first, *args, **kwargs):
            log.append(name or first)
            return real(first, *args, **kwargs)
        return call

    @property
    def fact_queries(self) -> list[str]:
        return [q for q in self.queries if FACTS.search(q)]


def with_year(folder, report_id: str, year: int):
    """The one-report folder of ``report_id`` with its manifest year changed."""
    manifest = folder / "manifest.csv"
    with manifest.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    lines[0]["year"] = str(year)
    with manifest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    return folder


def test_bodies_with_one_year_are_neither_read_for_facts_nor_written(tmp_path, monkeypatch):
    db = open_store(tmp_path / "store")
    try:
        folders = [one_report(tmp_path / rid, rid) for rid in ("haibin-sfj-2024", "yunxi-gzbg-2025")]
        assert ingest_paths(folders, db).ok
        spy = Spy(db, monkeypatch)
        assert refresh_after(db, ["haibin-sfj-2024", "yunxi-gzbg-2025"]) == ""
        assert spy.fact_queries == [] and spy.writes == []  # nothing to check: no fact read, no write
        assert len(spy.queries) <= 3 and progress_state(db) == set()
    finally:
        db.close()


def test_facts_are_read_from_the_graphs_of_the_paired_reports_only(tmp_path, monkeypatch):
    """Beside other bodies' reports (a pair of years each), the checks of the batch's bodies read
    only the graphs of their own reports that have a report of the year before or after."""
    from bench.corpus import write_corpus

    write_corpus(tmp_path / "others", 6, seed=3, pairs=True)
    lone = one_report(tmp_path / "lone", "yunxi-gzbg-2025")  # a body with one year: nothing to read
    db = open_store(tmp_path / "store")
    try:
        assert ingest_paths([tmp_path / "others", lone], db).ok
        pair = [one_report(tmp_path / rid, rid) for rid in ("haibin-sfj-2024", "haibin-sfj-2025")]
        assert ingest_paths(pair, db).ok
        spy = Spy(db, monkeypatch)
        assert refresh_after(db, ["haibin-sfj-2024", "haibin-sfj-2025", "yunxi-gzbg-2025"]) == ""
        allowed = {str(report_graph(rid)) for rid in ("haibin-sfj-2024", "haibin-sfj-2025")}
        assert spy.fact_queries
        for query in spy.fact_queries:
            named = set(re.findall(r"<(https://w3id\.org/policy-kg/id/graph/[^>]+)>", query))
            assert named and named <= allowed, query
        haibin = str(progress_graph(entity_iri("agency", "海滨区司法局")))
        assert [w for w in spy.writes if w != "update"] == ["bulk_replace"]  # the graph with checks, one call
        assert {t[0] for t in progress_state(db)} >= {haibin}
    finally:
        db.close()


@pytest.mark.parametrize("batches", [
    [["all"]],
    [["haibin-sfj-2025"], ["yunxi-gzbg-2024"], ["haibin-sfj-2024", "yunxi-gzbg-2025"], ["others"]],
    [["others"], ["yunxi-gzbg-2025", "haibin-sfj-2025"], ["haibin-sfj-2024"], ["yunxi-gzbg-2024"]],
])
def test_checks_are_those_of_a_full_recomputation_whatever_the_batches(tmp_path, batches):
    """Batches of any shape (one year, then the other; other bodies before or after) give the
    graphs of one batch of everything, and recomputing every body afterwards changes nothing."""
    from bench.corpus import write_corpus
    from kg.progress import refresh

    write_corpus(tmp_path / "others", 6, seed=5, pairs=True)
    ids = ("haibin-sfj-2024", "haibin-sfj-2025", "yunxi-gzbg-2024", "yunxi-gzbg-2025")
    folders = {rid: one_report(tmp_path / rid, rid) for rid in ids}
    folders["others"] = tmp_path / "others"
    reference = open_store(tmp_path / "reference")
    db = open_store(tmp_path / "store")
    try:
        assert ingest_paths([EXAMPLES, tmp_path / "others"], reference).ok
        expected = progress_state(reference)
        assert len({t[0] for t in expected}) >= 3  # the two example bodies and some of the others
        for batch in batches:
            paths = [EXAMPLES, tmp_path / "others"] if batch == ["all"] else [folders[b] for b in batch]
            assert ingest_paths(paths, db).ok
        assert progress_state(db) == expected
        bodies = {row["b"] for row in db.select_rows(
            "SELECT DISTINCT ?b WHERE { GRAPH ?g { ?r <http://purl.org/dc/terms/creator> ?b } }")}
        refresh(db, bodies)
        assert progress_state(db) == expected
    finally:
        db.close()
        reference.close()


def test_a_body_that_loses_its_pair_loses_its_checks(tmp_path):
    """Reading only paired reports must still notice a pair that is gone: the 2024 report
    replaced by one of 2022 leaves no year next to 2025, and the body's graph is dropped."""
    earlier = one_report(tmp_path / "y24", "haibin-sfj-2024")
    later = one_report(tmp_path / "y25", "haibin-sfj-2025")
    haibin = str(progress_graph(entity_iri("agency", "海滨区司法局")))
    db = open_store(tmp_path / "store")
    try:
        assert ingest_paths([earlier, later], db).ok
        assert haibin in db.graphs()
        assert ingest_paths([with_year(earlier, "haibin-sfj-2024", 2022)], db).ok
        assert haibin not in db.graphs() and progress_state(db) == set()
        assert ingest_paths([with_year(earlier, "haibin-sfj-2024", 2024)], db).ok
        assert haibin in db.graphs()
    finally:
        db.close()
