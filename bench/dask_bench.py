"""Beyond one machine, measured: extraction on Dask against local processes, and bulk loading of
N-Quads shards into the embedded store, an Oxigraph server and Virtuoso, in one run.

    python -m bench.dask_bench --reports 1000            # writes bench/results/DATE-dask.json

1. A synthetic corpus (bench/corpus.py) is written to a temporary folder.
2. It is ingested into a fresh embedded store with ``--jobs 2`` (local processes), then on a Dask
   ``LocalCluster`` of 1 and of 2 single-threaded worker processes. The cluster's start and the
   workers' warm-up (building the spaCy pipeline and parsing the shapes once) are a fixed cost,
   timed apart (``cluster_start_s``), as the local runs' parent process builds its pipeline once
   (in the first run only: it is kept for the next). Each store is compared quad for quad with
   the ``--jobs 2`` store.
3. The per-report overhead of the Dask path is (time on 2 Dask workers − time with --jobs 2) /
   reports, also given as a share of the local per-report time, in wall-clock time and in CPU
   time (this process and its workers: on a shared machine the CPU time is the steadier
   measure); the runs are interleaved ``--repeat`` times and the best of each is kept.
4. The corpus is extracted once to N-Quads shards (``kg extract-all``) and loaded (``kg load``)
   into a new embedded store, an Oxigraph server (POST to /store) and Virtuoso (Graph Store
   Protocol PUT per graph); a store that cannot be started here is reported as not run.
"""
from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from kg.parallel import ingest_paths_parallel  # noqa: E402
from kg.shards import ShardWriter, load_shards  # noqa: E402
from kg.store import EmbeddedStore, RemoteStore, open_store  # noqa: E402

ALL = ('SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } '
       'FILTER(STRSTARTS(STR(?g), "https://w3id.org/policy-kg/id/graph/")) }')  # not a server's own graphs


def dump(store) -> set[tuple[str, ...]]:
    return {(r["g"], r["s"], r["p"], r["o"]) for r in store.select_rows(ALL)}


def own_cpu(children: bool = True) -> float:
    """CPU seconds of this process (and of its children that have ended)."""
    t = os.times()
    return t.user + t.system + ((t.children_user + t.children_system) if children else 0.0)


def workers_cpu(client) -> float:
    """CPU seconds of the Dask worker processes so far."""
    import psutil

    total = 0.0
    for pid in client.run(os.getpid).values():
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def timed_ingest(corpus: Path, store_dir: Path, **kwargs) -> tuple[float, EmbeddedStore, int]:
    store = open_store(store_dir)
    start = time.perf_counter()
    summary = ingest_paths_parallel([corpus], store, **kwargs)
    seconds = time.perf_counter() - start
    assert summary.ok, [o.error for o in summary.failed][:3]
    return seconds, store, len(summary.stored)


def local_run(corpus: Path, store_dir: Path) -> dict:
    """--jobs 2: wall time and CPU time of this process and its pool (the workers have ended)."""
    cpu = own_cpu()
    seconds, store, stored = timed_ingest(corpus, store_dir, jobs=2)
    return {"seconds": round(seconds, 2), "cpu_s": round(own_cpu() - cpu, 2), "reports": stored, "store": store}


def dask_run(corpus: Path, store_dir: Path, workers: int) -> dict:
    from distributed import Client, LocalCluster

    from kg.executors import DaskExecutor

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        executor = DaskExecutor(client)
        executor.warm(True)  # a fixed cost, as the local runs' parent builds its pipeline once
        started = time.perf_counter() - start
        cpu = own_cpu(children=False) + workers_cpu(client)
        seconds, store, stored = timed_ingest(corpus, store_dir, executor=executor)
        cpu = own_cpu(children=False) + workers_cpu(client) - cpu
    return {"workers": workers, "cluster_start_s": round(started, 2), "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2), "reports": stored, "store": store}


def load_rates(shards: Path, work: Path, quads: int) -> list[dict]:
    rows = []

    def timed(name: str, store, graph_store: str | None = None) -> None:
        start = time.perf_counter()
        loaded = load_shards(shards, store, graph_store)
        seconds = time.perf_counter() - start
        count = len(dump(store))
        rows.append({"store": name, "quads": loaded.quads, "seconds": round(seconds, 2),
                     "quads_per_s": round(loaded.quads / seconds), "same_quads_after": count == quads})

    embedded = open_store(work / "loaded")
    timed("embedded (pyoxigraph bulk_load)", embedded)
    embedded.close()
    from tests.oxigraph_server import oxigraph_binary, oxigraph_server

    if oxigraph_binary():
        with oxigraph_server(work / "oxigraph") as url:
            remote = RemoteStore(url)
            timed("Oxigraph server (POST /store)", remote)
            remote.close()
    else:
        rows.append({"store": "Oxigraph server", "not_run": "no oxigraph binary"})
    try:
        from tests.virtuoso_server import virtuoso_server

        with virtuoso_server(work / "virtuoso") as base:
            remote = RemoteStore(f"{base}/sparql")
            timed("Virtuoso (Graph Store Protocol PUT per graph)", remote, f"{base}/sparql-graph-crud")
            remote.close()
    except BaseException as err:  # noqa: BLE001 - pytest.skip raises a BaseException subclass
        if isinstance(err, KeyboardInterrupt):
            raise
        rows.append({"store": "Virtuoso", "not_run": str(err)[:200]})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", "-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each (the best is kept)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / f"{datetime.date.today()}-dask.json")
    args = parser.parse_args(argv)
    result: dict = {"reports": args.reports, "seed": args.seed}
    with tempfile.TemporaryDirectory(prefix="kg-dask-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        write_corpus(corpus, args.reports, args.seed)
        times: dict[str, list[float]] = {"jobs2": [], "dask1": [], "dask2": []}
        cpus: dict[str, list[float]] = {"jobs2": [], "dask1": [], "dask2": []}
        expected: set = set()
        for attempt in range(args.repeat):  # interleaved, so that the machine's load falls on both
            run = local_run(corpus, work / f"jobs2-{attempt}")
            local, stored, seconds = run.pop("store"), run["reports"], run["seconds"]
            expected = expected or dump(local)
            local.close()
            times["jobs2"].append(seconds)
            cpus["jobs2"].append(run["cpu_s"])
            print(f"--jobs 2: {run}", flush=True)
            for workers in (1, 2):
                run = dask_run(corpus, work / f"dask{workers}-{attempt}", workers)
                store = run.pop("store")
                same = dump(store) == expected
                store.close()
                times[f"dask{workers}"].append(run["seconds"])
                cpus[f"dask{workers}"].append(run["cpu_s"])
                best = result.get(f"dask{workers}")
                if best is None or run["seconds"] < best["seconds"]:
                    result[f"dask{workers}"] = {**run, "same_quads_as_jobs2": same,
                                                "reports_per_s": round(run["reports"] / run["seconds"], 1)}
                result[f"dask{workers}"]["same_quads_as_jobs2"] &= same
                print(f"dask {workers} worker(s): {run}", flush=True)
        best_local = min(times["jobs2"])
        result["jobs2"] = {"seconds": round(best_local, 2), "reports": stored,
                           "reports_per_s": round(stored / best_local, 1), "quads": len(expected)}
        result["all_seconds"] = {k: [round(t, 2) for t in v] for k, v in times.items()}
        result["all_cpu_s"] = cpus
        per_local = best_local / stored
        per_dask = result["dask2"]["seconds"] / stored
        result["overhead_per_report_ms"] = round((per_dask - per_local) * 1000, 2)
        result["overhead_share_of_local"] = round((per_dask - per_local) / per_local, 3)
        cpu_local, cpu_dask = min(cpus["jobs2"]) / stored, min(cpus["dask2"]) / stored
        result["cpu_per_report_ms"] = {"jobs2": round(cpu_local * 1000, 2), "dask2": round(cpu_dask * 1000, 2)}
        result["cpu_overhead_share_of_local"] = round((cpu_dask - cpu_local) / cpu_local, 3)
        shards = work / "shards"
        writer = ShardWriter(shards)
        summary = ingest_paths_parallel([corpus], writer, jobs=2)
        assert summary.ok
        result["shards"] = {"files": writer.count, "quads": writer.quads}
        result["load"] = load_rates(shards, work, len(expected))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
