"""The progress checks after a whole batch, on a copy of a store that is already there.

    .venv/bin/python -m bench.progress_batch STORE COPY [--profile]

Copies STORE (and its search index) to COPY, drops the copy's progress graphs, and times
``kg.progress.refresh_after`` for every report of the store: what ``kg ingest`` does after a
batch that brought all of them. Prints one JSON line: wall and CPU seconds, the progress quads
written and a digest of them (sorted N-Quads) and of their search-index rows, so that two
versions of the code can be compared on the same store, and ``as_before``: whether they equal
the ones the store held (what ingest wrote). ``--profile`` prints the top of a
cProfile (cumulative) after it. COPY is overwritten.
"""
from __future__ import annotations

import cProfile
import hashlib
import json
import os
import pstats
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.progress import refresh_after  # noqa: E402
from kg.search import index_path  # noqa: E402
from kg.store import open_store  # noqa: E402

REPORTS = """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
SELECT ?id WHERE { GRAPH ?g { ?r a pkg:Report ; dcterms:identifier ?id } }"""


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _digests(ox, store_path: Path) -> tuple[dict, dict]:
    """The progress graphs' quads and their search-index rows: how many, and a digest of each."""
    quads = sorted(str(q) for g in ox.named_graphs() if "/graph/progress/" in g.value
                   for q in ox.quads_for_pattern(None, None, None, g))
    rows = []
    if index_path(store_path).exists():
        with sqlite3.connect(index_path(store_path)) as db:
            rows = sorted(db.execute("SELECT m.graph, e.s, e.kind, e.text, e.type, e.report FROM members m "
                                     "JOIN entries e ON e.id = m.entry WHERE m.graph LIKE '%/progress/%'"))
    return ({"progress_quads": len(quads), "digest": hashlib.sha256("\n".join(quads).encode()).hexdigest()[:16]},
            {"index_rows": len(rows), "index_digest": hashlib.sha256(repr(rows).encode()).hexdigest()[:16]})


def main(argv: list[str]) -> int:
    source, copy, profile = Path(argv[0]), Path(argv[1]), "--profile" in argv
    _remove(copy)
    _remove(index_path(copy))
    shutil.copytree(source, copy)
    if index_path(source).exists():
        shutil.copy(index_path(source), index_path(copy))
    store = open_store(copy)
    ox = store._store
    before_digest, before_rows = _digests(ox, copy)
    for graph in [g for g in ox.named_graphs() if "/graph/progress/" in g.value]:
        ox.remove_graph(graph)
    ids = [row["id"] for row in store.select_rows(REPORTS)]
    profiler = cProfile.Profile() if profile else None
    before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    if profiler:
        profiler.enable()
    said = refresh_after(store, ids)
    if profiler:
        profiler.disable()
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
    digest, rows = _digests(ox, copy)
    store.close()
    print(json.dumps({
        "store": str(source), "reports": len(ids), "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        **digest, **rows, "as_before": (digest, rows) == (before_digest, before_rows),
        "said": said, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, ensure_ascii=False))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
