"""Bulk batches under the journal (kg.journal): whole or absent, whatever stops them."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from kg.journal import journal_path, pending
from kg.store import EmbeddedStore, StoreError, open_snapshots, open_store

G = "https://w3id.org/policy-kg/id/graph/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def graph(name: str, label: str, n: int = 3) -> tuple[str, bytes]:
    lines = [f'<http://e/{name}/{i}> {LABEL} "{label}{i}"@zh .' for i in range(n)]
    return G + name, ("\n".join(lines) + "\n").encode()


def contents(store) -> dict[str, int]:
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {b["g"]["value"][len(G):]: int(b["n"]["value"]) for b in rows["results"]["bindings"]}


def test_a_bulk_batch_the_store_refuses_leaves_nothing(tmp_path):
    store = open_store(tmp_path / "s")
    try:
        store.bulk_replace([graph("kept", "光明区司法局")], isolated=False)
        broken = (G + "broken", b'<http://e/x> <http://e/p> "no end\n')
        with pytest.raises(StoreError, match="load failed"):
            store.bulk_replace([graph("fresh", "深圳市司法局", 5), broken], isolated=False)
        assert contents(store) == {"kept": 3}
        assert not journal_path(tmp_path / "s").exists()
        assert [h["text"] for h in store.search("司法局", 10, 0)[1]] == ["光明区司法局0", "光明区司法局1", "光明区司法局2"]
    finally:
        store.close()


def test_a_bulk_batch_replaces_an_existing_graph_in_a_transaction_and_adds_new_ones(tmp_path):
    store = open_store(tmp_path / "s")
    try:
        store.bulk_replace([graph("a", "甲", 4)], isolated=False)
        store.bulk_replace([graph("a", "乙", 2), graph("b", "丙", 3), graph("b", "丁", 1)], isolated=False)
        assert contents(store) == {"a": 2, "b": 1}  # a replaced; b named twice: the last content
        assert store.search("甲", 10, 0)[0] == 0 and store.search("丁", 10, 0)[0] == 1
    finally:
        store.close()


CRASH = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from kg import search
    from kg.store import open_store
    from tests.test_journal import graph

    store = open_store(sys.argv[1])
    store.bulk_replace([graph("before", "光明区")], isolated=False)
    store.publish()
    def die(self, graphs):  # the writer dies after Oxigraph's load, before the index commits
        os._exit(9)
    search.SearchIndex.replace = die
    store.bulk_replace([graph("lost1", "南山区", 4), graph("lost2", "福田区", 2)], isolated=False)
""")


@pytest.fixture
def crashed(tmp_path):
    """A store whose writer died in the middle of its second bulk batch."""
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.run([sys.executable, "-c", CRASH.format(root=root), str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    assert sorted(pending(tmp_path / "s")) == [G + "lost1", G + "lost2"]
    return tmp_path / "s"


def test_the_next_writer_removes_a_dead_writers_batch(crashed):
    store = open_store(crashed)
    try:
        assert contents(store) == {"before": 3}
        assert not journal_path(crashed).exists()
        assert store.search("区", 10, 0)[0] == 3  # the index has none of the lost batch either
    finally:
        store.close()


def test_a_read_only_open_after_a_dead_writer_sees_no_part_of_its_batch(crashed):
    store = EmbeddedStore(crashed, read_only=True)
    try:
        assert contents(store) == {"before": 3}
    finally:
        store.close()
    assert not journal_path(crashed).exists()


def test_a_reader_of_snapshots_after_a_dead_writer_sees_no_part_of_its_batch(crashed):
    store = open_snapshots(crashed)  # publishes for the dead writer (kg.snapshots.ensure_published)
    try:
        assert contents(store) == {"before": 3}
    finally:
        store.close()
    assert not journal_path(crashed).exists()
