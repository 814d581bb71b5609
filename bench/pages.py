"""How fast an entity page renders on a large store (issue 17: ≤ 300 ms server-side at 10k reports).

    python -m bench.pages --reports 10000 [--store DIR] [--runs 15] [--with-shared] [--build-only]

Builds the store quickly, without extraction: the example reports (examples/; with
``--with-shared`` also the shared corpus, ../shared/corpus) are ingested once, then their graphs are copied under new
report ids (``<id>-c00042``: the report's own IRIs change, the shared nodes — agencies,
documents, regions, initiatives — stay, so each is stated in thousands of graphs) and written
with EmbeddedStore.bulk_replace. Then a real uvicorn serves the app and the pages of the most
connected node of each kind are asked for ``--runs`` times (after two warm-up requests); the
median and worst times are printed as a Markdown table (BENCHMARKS.md).
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
BATCH = 250  # graphs a bulk_replace call


def base_graphs(with_shared: bool = False) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """The ingested example (and shared) reports: {report id: (graph IRI, N-Triples)}, and the
    most connected entity of each kind among them (copies keep it the most connected)."""
    from kg.ingest import ingest_paths
    from kg.store import EmbeddedStore
    from kg.graph.vocab import report_graph

    folder = Path(tempfile.mkdtemp(prefix="kg-pages-base-"))
    store = EmbeddedStore(folder / "store")
    paths = [ROOT / "examples"] + ([SHARED_CORPUS] if with_shared and SHARED_CORPUS.exists() else [])
    summary = ingest_paths(paths, store)
    out = {}
    for outcome in summary.outcomes:
        if outcome.report_id and not outcome.error:
            iri = str(report_graph(outcome.report_id))
            graph = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
            out[outcome.report_id] = (iri, graph.serialize(format="nt", encoding="utf-8"))
    nodes = most_connected(store)
    store.close()
    return out, nodes


def copies(base: dict[str, tuple[str, bytes]], reports: int):
    """``reports`` graphs: the base graphs again and again under new report ids."""
    ids = sorted(base)
    for i in range(reports):
        rid = ids[i % len(ids)]
        iri, data = base[rid]
        new = f"{rid}-c{i:05d}"
        text = data.replace(f"/id/report/{rid}".encode(), f"/id/report/{new}".encode())
        text = text.replace(f'"{rid}"'.encode(), f'"{new}"'.encode())  # dcterms:identifier
        yield iri.replace(f"/graph/{rid}", f"/graph/{new}"), text


def most_connected(store) -> dict[str, str]:
    """The entity of each kind named by the most triples (as subject or object)."""
    out = {}
    for kind in ("Agency", "Document", "Region", "Initiative"):
        rows = store.select(f"""PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
            SELECT ?n (COUNT(*) AS ?c) WHERE {{ {{ SELECT DISTINCT ?n WHERE {{ GRAPH ?g {{ ?n a pkg:{kind} }} }} }}
              {{ GRAPH ?h {{ ?n ?p ?o }} }} UNION {{ GRAPH ?h {{ ?s ?p ?n }} }} }}
            GROUP BY ?n ORDER BY DESC(?c) ?n LIMIT 1""")
        bindings = rows["results"]["bindings"]
        if bindings:
            out[kind.lower()] = bindings[0]["n"]["value"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--store", type=Path, help="the store folder (default: a new temporary one)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--with-shared", action="store_true", help="copy the shared corpus's reports too")
    parser.add_argument("--build-only", action="store_true", help="build the store, time nothing")
    args = parser.parse_args(argv)

    import httpx

    from api.app import create_app
    from kg.store import EmbeddedStore
    from tests.api_fixtures import serve

    folder = args.store or Path(tempfile.mkdtemp(prefix="kg-pages-bench-"))
    store = EmbeddedStore(folder / "store")
    started = time.perf_counter()
    base, nodes = base_graphs(args.with_shared)
    if len(store.graphs()) < args.reports:
        batch: list = []
        for item in copies(base, args.reports):
            batch.append(item)
            if len(batch) == BATCH:
                store.bulk_replace(batch)
                batch = []
        if batch:
            store.bulk_replace(batch)
    quads = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
                ["results"]["bindings"][0]["n"]["value"])
    print(f"store: {len(store.graphs())} graphs, {quads} quads, built in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    if args.build_only:
        store.close()
        return 0
    rows = []
    with serve(create_app(store)) as url, httpx.Client(base_url=url, timeout=120) as client:
        for kind, iri in nodes.items():
            path = "/id/" + iri.split("/id/", 1)[1]
            for _ in range(2):
                client.get(path)
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.text[:200]
            html = response.text
            title = re.search(r"<h1>(.*?)</h1>", html).group(1)
            graphs = store.select(f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
            stated = graphs["results"]["bindings"][0]["n"]["value"]
            rows.append((kind, title, stated, statistics.median(times), max(times), html.count('class="node"')))
    store.close()
    print("| page (most connected of its kind) | stated in graphs | median ms | worst ms | nodes drawn |")
    print("|---|---|---|---|---|")
    for kind, title, stated, median, worst, drawn in rows:
        print(f"| {kind}: {title} | {stated} | {median:.0f} | {worst:.0f} | {drawn} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
