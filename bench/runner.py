"""The benchmark runner: ingest, queries, store and export, side by side with the anchors.

    bench/run --quick                      # < 2 minutes: every section, small sizes, the ratios
    bench/run --json results.json          # the full run (1k, 10k, 100k reports)
    bench/run --sizes 1000,10000 --query-sizes 10000 --json r.json
    bench/run --sizes 1000,10000 --skip validation,stages,queries,store,export --lean --json r.json

Sections (each can be skipped with --skip NAME):

stages      stage by stage in one process (segment, extract, resolve, RDF, SHACL, N-Triples,
            Oxigraph write, full-text index, progress checks, flush: bench/stages.py):
            characters/s and triples/s a core, CPU ms a report, peak memory, on ../shared/corpus-dev
            (real work reports, when present) and a synthetic sample; extraction alone, best of 5;
            `kg ingest --jobs 2` in a fresh process, characters / CPU s of all its processes (not in
            --quick)
validation  SHACL per report graph, before (pyshacl as kg.graph.validate ran it) and after (the shapes
            compiled once, pyshacl-turbo), on synthetic report graphs and the examples
ingest      end to end (read → extract → RDF → SHACL → store), reports/s, MB/s, characters/s and
            triples/s (and on ../shared/corpus-dev when present), SHACL on
            and off, one and two processes, peak memory against corpus size; each run in a
            fresh process; the stores of the SHACL-on runs are kept for the query section
queries     every named query, p50 and p99, through the API (uvicorn, loopback), through the
            CLI (kg query), the same SPARQL straight to an Oxigraph server on the same store,
            rdflib's in-memory Dataset and rdflib-endpoint on the same data (at the sizes
            rdflib can hold); then load (wrk, else an httpx loop) at 1 and 10 connections
store       bulk load of a 1M-triple N-Quads file: EmbeddedStore.bulk_load and the batch
            ingest path (bulk_replace) against pyoxigraph's own Store.bulk_load
export      kg.export GEXF of the biggest store: time and peak memory per size

Everything runs on loopback with bounded loops; every server started is stopped.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import PeakMemory, cpu_seconds, loadavg, percentile, repeat  # noqa: E402

PY = sys.executable
SEED = 1
QUERY_ROW_LIMIT = 10000          # the API's default cap; the anchors get the same LIMIT
RDFLIB_MAX_REPORTS = 10000       # rdflib in memory is run up to this size
RDFLIB_BUDGET = 1200.0           # seconds rdflib may take to load and answer before it is stopped
BIG = 100000                     # from this size a named query takes tens of seconds
LOOKUP = "documents"             # the one-document lookup: documents cited by one report


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- environment -----------------------------------------------------------------------------

def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("pyoxigraph", "oxigraph", "rdflib", "pyshacl", "pyshacl-turbo", "spacy", "fastapi", "uvicorn",
                 "rdflib-endpoint", "httpx"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    wrk = shutil.which("wrk")
    if wrk:
        first = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.splitlines()
        out["wrk"] = first[0].split()[1] if first else "?"
    return out


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        memory = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        memory = None
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "memory_gb": memory,
            "os": f"{platform.system()} {platform.release()}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 300.0, proc: subprocess.Popen | None = None) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout:.0f} s")


@contextmanager
def server(cmd: list[str], url: str, env: dict | None = None, timeout: float = 300.0, log_path: Path | None = None):
    """Run a server process for the block; always stopped (by its own process id) afterwards."""
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                            cwd=ROOT, start_new_session=True)
    try:
        wait_http(url, timeout, proc)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if log_path:
            out.close()


# --- corpus ----------------------------------------------------------------------------------

DEV = ROOT.parent / "shared" / "corpus-dev"   # real provincial work reports, measured when present
CORPUS_VERSION = 2               # realistic sizes (bench/corpus.py); older corpora in a workdir are not reused


def corpus(workdir: Path, size: int) -> tuple[Path, int]:
    """The synthetic corpus of ``size`` reports (made once per workdir); (folder, bytes)."""
    from bench.corpus import write_corpus

    folder = workdir / f"corpus-v{CORPUS_VERSION}-{size}"
    marker = folder / ".complete"
    if marker.is_file():
        return folder, int(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    _, size_bytes = write_corpus(folder, size, SEED)
    marker.write_text(str(size_bytes))
    log(f"  corpus {size}: {size_bytes / 2**20:.1f} MB written in {time.perf_counter() - start:.1f} s")
    return folder, size_bytes


# --- validation ------------------------------------------------------------------------------

def section_validation(quick: bool) -> dict:
    from rdflib import Graph

    from bench.corpus import synthetic_reports
    from kg.authority import default_authority
    from kg.ingest import report_graph_of
    from kg.read import discover, read_report
    from kg.graph.validate import load_shapes, validate

    import pyshacl

    shapes = load_shapes()
    auth = default_authority()
    def plain(graph: Graph) -> Graph:  # rdflib's default (context-aware) store, which pyshacl needs
        copy = Graph()
        copy += graph
        return copy

    graphs = [plain(report_graph_of(r, auth)) for r in synthetic_reports(3 if quick else 30, SEED, start=900_000)]
    found, _ = discover([ROOT / "examples"])
    examples = [plain(report_graph_of(read_report(p, m), auth)) for p, m in found]
    big = Graph()
    for g in examples:
        big += g
    sets = {"synthetic report (mean %d triples)" % (sum(map(len, graphs)) // len(graphs)): graphs,
            "examples merged (%d triples)" % len(big): [big]}
    rows = []
    for label, items in sets.items():
        nts = [g.serialize(format="nt") for g in items]

        def timed(fn) -> float:
            per = []
            for i in range(len(items)):
                per.extend(repeat(lambda: fn(i), runs=1 if len(items) > 1 else (3 if quick else 7), warmup=0))
            return percentile(per, 50)

        validate(items[0], engine="turbo")  # compile once, outside the timing
        r = {"graph": label,
             "pyshacl_ms": timed(lambda i: validate(items[i], engine="pyshacl")) * 1000,
             "pyshacl_inplace_ms": timed(lambda i: pyshacl.validate(
                 items[i], shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True)) * 1000,
             "turbo_uncompiled_ms": timed(lambda i: __import__("pyshacl_turbo").validate(
                 items[i], shacl_graph=shapes, inference="none", allow_warnings=True)) * 1000,
             "turbo_compiled_ms": timed(lambda i: validate(items[i], engine="turbo")) * 1000,
             "turbo_compiled_nt_ms": timed(lambda i: validate(items[i], engine="turbo", ntriples=nts[i])) * 1000}
        r["speedup"] = r["pyshacl_ms"] / r["turbo_compiled_nt_ms"]
        same = all(validate(g, engine="pyshacl").violations == validate(g, engine="turbo").violations for g in items[:5])
        r["same_verdicts"] = same
        rows.append(r)
        log(f"  {label}: pyshacl {r['pyshacl_ms']:.1f} ms → turbo {r['turbo_compiled_nt_ms']:.2f} ms "
            f"({r['speedup']:.0f}×)")
    return {"rows": rows}


# --- ingest ----------------------------------------------------------------------------------

def run_ingest(args: list[str]) -> dict:
    """Run one ingest measurement in a fresh process; its JSON line."""
    proc = subprocess.run([PY, "-m", "bench.runner", "_ingest", *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"ingest run failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ingest_main(argv: list[str]) -> int:
    """Internal: one ingest run, measured, in this (fresh) process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus")
    parser.add_argument("--stream", type=int, default=0, help="generate this many reports instead of reading files")
    parser.add_argument("--store", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--shacl", type=int, default=1)
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--serial", type=int, default=0, help="kg.ingest.ingest_paths (the batch path with one job, in this process)")
    a = parser.parse_args(argv)
    from kg.store import open_store

    shutil.rmtree(a.store, ignore_errors=True)
    store = open_store(a.store)
    characters = [0]
    if a.corpus:  # counted before the clock starts
        characters[0] = sum(len(p.read_text(encoding="utf-8", errors="replace")) for p in Path(a.corpus).glob("*.txt"))

    def counted(reports):
        for report in reports:
            characters[0] += len(report.text)
            yield report

    load0 = loadavg()
    with PeakMemory() as memory:
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        if a.serial:
            os.environ["POLICY_KG_SHACL_ENGINE"] = a.engine
            from kg.ingest import ingest_paths

            summary = ingest_paths([Path(a.corpus)], store, shacl=bool(a.shacl))
        elif a.stream:
            from bench.corpus import synthetic_reports
            from kg.parallel import ingest_reports_parallel

            summary = ingest_reports_parallel(counted(synthetic_reports(a.stream, SEED)), store, jobs=a.jobs,
                                              shacl=bool(a.shacl), engine=a.engine)
        else:
            from kg.parallel import ingest_paths_parallel

            summary = ingest_paths_parallel([Path(a.corpus)], store, jobs=a.jobs, shacl=bool(a.shacl),
                                            engine=a.engine)
        store.close()
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    reports = len(summary.outcomes)
    print(json.dumps({"reports": reports, "stored": len(summary.stored), "failed": len(summary.failed),
                      "triples": summary.triples, "seconds": seconds, "cpu_seconds": cpu,
                      "characters": characters[0], "chars_per_s": characters[0] / seconds,
                      "triples_per_s": summary.triples / seconds,
                      "reports_per_s": reports / seconds, "cpu_ms_per_report": cpu / reports * 1000,
                      "peak_tree_mb": memory.peak_tree_mb, "peak_main_mb": memory.peak_self_mb,
                      "loadavg_before": load0, "loadavg_after": loadavg(),
                      "errors": [o.error for o in summary.failed][:3] + summary.errors[:3]}))
    return 0


def section_ingest(workdir: Path, sizes: list[int], quick: bool, smoke: bool = False, lean: bool = False) -> dict:
    """Ingest runs at each size. ``lean``: only SHACL on with the default engine, two jobs at
    every size and one job at the smallest (no SHACL-off, pyshacl, streamed or serial runs)."""
    runs = []
    stores = {}
    smallest = min(sizes)
    for size in sizes:
        folder, nbytes = corpus(workdir, size)
        configs = [(2, 1, "auto")]
        if smoke:
            pass
        elif lean:
            configs = [(1, 1, "auto"), (2, 1, "auto")] if size == smallest else configs
        elif size == smallest and quick:
            configs = [(1, 1, "auto"), (2, 1, "auto"), (2, 0, "auto")]
        elif size == smallest:
            configs = [(1, 1, "auto"), (2, 1, "auto"), (1, 0, "auto"), (2, 0, "auto"), (2, 1, "pyshacl")]
        elif size <= 10000:
            configs = [(2, 1, "auto"), (2, 0, "auto")]
        for jobs, shacl, engine in configs:
            sub = size if engine != "pyshacl" or quick else min(size, 1000)
            target = folder
            if sub != size:
                target = workdir / f"corpus-{sub}"
                corpus(workdir, sub)
            store = workdir / f"store-{size}" if (shacl and engine == "auto" and jobs == 2) else workdir / "store-scratch"
            log(f"  ingest {sub} reports: jobs={jobs} shacl={'on' if shacl else 'off'} engine={engine} …")
            r = run_ingest(["--corpus", str(target), "--store", str(store), "--jobs", str(jobs),
                            "--shacl", str(shacl), "--engine", engine])
            r.update(size=sub, jobs=jobs, shacl=bool(shacl), engine=engine, mode="files",
                     mb_per_s=(nbytes if sub == size else corpus(workdir, sub)[1]) / 2**20 / r["seconds"])
            runs.append(r)
            if store.name != "store-scratch":
                stores[size] = str(store)
            log(f"    {r['reports_per_s']:.1f} reports/s, {r['mb_per_s']:.2f} MB/s, {r['cpu_ms_per_report']:.1f} ms CPU "
                f"a report, peak {r['peak_tree_mb']:.0f} MB (load {r['loadavg_before']:.1f}), failed {r['failed']}")
        if size == smallest and not smoke and not lean:
            log(f"  ingest {size} reports streamed from the generator (no files): jobs=2 shacl=on …")
            r = run_ingest(["--stream", str(size), "--store", str(workdir / "store-scratch"), "--jobs", "2",
                            "--shacl", "1"])
            r.update(size=size, jobs=2, shacl=True, engine="auto", mode="stream", mb_per_s=nbytes / 2**20 / r["seconds"])
            runs.append(r)
            log(f"    {r['reports_per_s']:.1f} reports/s, peak {r['peak_tree_mb']:.0f} MB")
            serial = min(size, 10 if quick else 100)  # pyshacl on realistic reports: about 1 s each
            sfolder, sbytes = corpus(workdir, serial)
            log(f"  ingest {serial} reports with kg.ingest.ingest_paths (one job in this process), pyshacl …")
            r = run_ingest(["--corpus", str(sfolder), "--store", str(workdir / "store-scratch"), "--serial", "1",
                            "--shacl", "1", "--engine", "pyshacl"])
            r.update(size=serial, jobs=1, shacl=True, engine="pyshacl", mode="serial, pyshacl",
                     mb_per_s=sbytes / 2**20 / r["seconds"])
            runs.append(r)
            log(f"    {r['reports_per_s']:.1f} reports/s")
    if (DEV / "manifest.csv").is_file() and not quick:  # --quick measures it stage by stage only
        log(f"  ingest {DEV} (real work reports): jobs=2 shacl=on …")
        r = run_ingest(["--corpus", str(DEV), "--store", str(workdir / "store-scratch"), "--jobs", "2", "--shacl", "1"])
        nbytes = sum(p.stat().st_size for p in DEV.glob("*.txt"))
        r.update(size=r["reports"], jobs=2, shacl=True, engine="auto", mode="corpus-dev",
                 mb_per_s=nbytes / 2**20 / r["seconds"])
        runs.append(r)
        log(f"    {r['chars_per_s']:,.0f} characters/s, {r['triples_per_s']:,.0f} triples/s, "
            f"{r['cpu_ms_per_report']:.0f} ms CPU a report")
    shutil.rmtree(workdir / "store-scratch", ignore_errors=True)
    return {"runs": runs, "stores": stores}


# --- stages ----------------------------------------------------------------------------------

def run_stages(args: list[str]) -> dict:
    """``python -m bench.stages ARGS --json`` in a fresh process; its JSON line."""
    proc = subprocess.run([PY, "-m", "bench.stages", *args, "--json"], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"stages run failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def section_stages(workdir: Path, quick: bool) -> dict:
    """Stage by stage in one process (CPU a core): segment, extract, resolve, RDF, SHACL, store,
    on the real work reports of ../shared/corpus-dev (when present) and on a sample of the
    synthetic corpus; extraction alone (segment+extract+resolve, best of 5 passes) on both."""
    out = {}
    sets = {}
    if (DEV / "manifest.csv").is_file():
        sets["corpus-dev"] = DEV
    if not quick or not sets:  # --quick: the real reports when present, else 20 synthetic ones
        sample = 20 if quick else 200
        sets[f"synthetic-{sample}"] = corpus(workdir, sample)[0]
    for name, path in sets.items():
        log(f"  stages on {name} …")
        r = run_stages([str(path), "--repeat", "1"])
        r["extraction_best"] = run_stages([str(path), "--extraction", "--repeat", "3" if quick else "5"])
        if not quick:  # a fresh `kg ingest --jobs 2` (8 s on corpus-dev, most of it start-up)
            r["ingest_jobs_2"] = run_stages([str(path), "--jobs", "2"])
        out[name] = r
        log(f"    extraction {r['extraction_best']['chars_per_s']:,} characters/s a core (best pass); end to end "
            f"{r['end_to_end_chars_per_s']:,} characters/s, {r['end_to_end_triples_per_s']:,} triples/s, "
            f"{r['cpu_ms_per_report']} ms CPU a report, peak {r['peak_mb']} MB"
            + (f"; kg ingest --jobs 2 {r['ingest_jobs_2']['chars_per_cpu_s']:,} characters/s a core (every "
               f"process's CPU)" if "ingest_jobs_2" in r else ""))
    return out


# --- queries ---------------------------------------------------------------------------------

def named_query_texts(report_id: str) -> dict[str, str]:
    """Every named query as the API runs it (no parameters), plus the one-document lookup."""
    from rdflib import Literal

    from kg.queries import named_queries
    from kg.store import with_values

    queries = {name: q.text for name, q in named_queries().items()}
    queries[f"{LOOKUP}?report"] = with_values(named_queries()[LOOKUP].text, {"report": Literal(report_id)})
    return queries


def api_path(name: str, report_id: str) -> str:
    if name.endswith("?report"):
        return f"/queries/{name.split('?')[0]}?" + urlencode({"report": report_id})
    return f"/queries/{name}"


def limited(query: str, limit: int = QUERY_ROW_LIMIT) -> str:
    return f"{query.rstrip()}\nLIMIT {limit}\n"


def time_http(client, url: str, *, runs: int, budget: float, params=None, headers=None,
              warm: bool = True) -> tuple[list[float], int]:
    rows = [0]

    def call():
        response = client.get(url, params=params, headers=headers)
        response.raise_for_status()
        rows[0] = len(response.content)

    if warm:
        call()
    times = repeat(call, runs=runs, budget=budget, warmup=0)
    return times, rows[0]


def load_test(url: str, connections: int, seconds: float) -> dict:
    """req/s and latency percentiles at ``connections`` concurrent connections (wrk if present)."""
    wrk = shutil.which("wrk")
    if wrk:
        proc = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "60s",
                               "-H", "Accept: application/sparql-results+json", url],
                              capture_output=True, text=True, timeout=seconds + 120)
        return _parse_wrk(proc.stdout) | {"tool": "wrk"}
    return _httpx_load(url, connections, seconds) | {"tool": "httpx"}


def _parse_wrk(text: str) -> dict:
    import re

    def ms(value: str) -> float:
        number = float(re.match(r"[\d.]+", value).group(0))
        unit = value[len(re.match(r"[\d.]+", value).group(0)):]
        return number * {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}.get(unit, 1.0)

    out = {"rps": float("nan"), "p50_ms": float("nan"), "p99_ms": float("nan"), "errors": 0}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            out["rps"] = float(line.split()[1])
        elif line.startswith("50%"):
            out["p50_ms"] = ms(line.split()[1])
        elif line.startswith("99%"):
            out["p99_ms"] = ms(line.split()[1])
        elif line.startswith("Non-2xx") or line.startswith("Socket errors"):
            out["errors"] += sum(int(x) for x in re.findall(r"\d+", line))
    return out


def _httpx_load(url: str, connections: int, seconds: float) -> dict:
    import asyncio

    import httpx

    async def main():
        latencies: list[float] = []
        errors = 0
        deadline = time.perf_counter() + seconds

        async def worker(client):
            nonlocal errors
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = await client.get(url, headers={"Accept": "application/sparql-results+json"})
                    if r.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - t)

        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            start = time.perf_counter()
            await asyncio.gather(*(worker(client) for _ in range(connections)))
            elapsed = time.perf_counter() - start
        return {"rps": len(latencies) / elapsed, "p50_ms": percentile(latencies, 50) * 1000,
                "p99_ms": percentile(latencies, 99) * 1000, "errors": errors}

    return asyncio.run(main())


SEARCH_RUNS = 15                 # /search requests timed for each query


def search_queries(store: str) -> dict[str, str]:
    """A 2-character and a 6-character /search query taken from the store: the first and the
    first six characters of the first label of six Chinese characters or more."""
    import pyoxigraph as ox

    st = ox.Store.read_only(store)
    try:
        rows = st.query('SELECT ?l WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } '
                        'FILTER(REGEX(STR(?l), "^[\\u4e00-\\u9fff]{6}")) } LIMIT 1')
        label = next((row["l"].value for row in rows), None)
    finally:
        del st
    if label is None:
        raise RuntimeError(f"{store}: no label of six Chinese characters to search for")
    return {"2": label[:2], "6": label[:6]}


def time_search(client, api_url: str, store: str, queries: dict[str, str]) -> dict:
    """/search over HTTP: p50 and p99 of SEARCH_RUNS requests (after one warm-up) for each query,
    the hits of each, and whether the store's full-text index was fresh (else the API scans)."""
    from kg.search import SearchIndex

    index = SearchIndex.open_for_reading(store)
    out: dict = {"indexed": index is not None}
    if index is not None:
        index.close()
    for chars, q in queries.items():
        hits = [0]

        def call():
            response = client.get(api_url + "/search", params={"q": q, "limit": 20})
            response.raise_for_status()
            hits[0] = response.json()["total"]

        times = repeat(call, runs=SEARCH_RUNS, min_runs=SEARCH_RUNS, budget=600.0, warmup=1)
        out[f"q{chars}"] = {"q": q, "hits": hits[0], **_pct(times)}
    out["p50_ms"] = max(out[f"q{chars}"]["p50_ms"] for chars in queries)
    return out


def section_queries(workdir: Path, stores: dict[int, str], sizes: list[int], quick: bool,
                    smoke: bool = False, on_size=None, rdflib_max: int = RDFLIB_MAX_REPORTS,
                    lookup_only: bool = False) -> dict:
    import httpx

    results = {}
    for size in sizes:
        if size not in stores:
            log(f"  no store of {size} reports: queries skipped")
            continue
        store = stores[size]
        report_id = f"syn{SEED}-{size // 2:07d}"
        queries = named_query_texts(report_id)
        runs, budget = (1, 0.5) if smoke else (5, 2.0) if quick else (15, 8.0)
        rows: dict[str, dict] = {name: {} for name in queries}
        api_port, ox_port = free_port(), free_port()
        api_url, ox_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ox_port}"
        env = {"POLICY_KG_STORE": store, "POLICY_KG_ROW_LIMIT": str(QUERY_ROW_LIMIT), "POLICY_KG_QUERY_TIMEOUT": "600",
               "POLICY_KG_TOKEN": ""}
        accept = {"Accept": "application/sparql-results+json"}
        api_cmd = [PY, "-m", "uvicorn", "--factory", "api.app:app_from_env", "--host", "127.0.0.1",
                   "--port", str(api_port), "--log-level", "warning"]
        ox_cmd = [str(Path(PY).parent / "oxigraph"), "serve-read-only", "--location", store,
                  "--bind", f"127.0.0.1:{ox_port}"]
        load: dict[str, dict] = {}
        load_seconds = 2 if quick else 8
        lookup = f"{LOOKUP}?report"
        searched = search_queries(store)
        try:
            api_ctx = server(api_cmd, api_url + "/queries", env, log_path=workdir / f"api-{size}.log")
            ox_ctx = server(ox_cmd, ox_url + "/", log_path=workdir / f"oxigraph-{size}.log")
        except FileNotFoundError as err:
            log(f"  cannot start a server: {err}")
            continue
        with api_ctx, ox_ctx, httpx.Client(timeout=600) as client:
            for name, text in queries.items():
                if size >= BIG and name != lookup:
                    # A run takes tens of seconds: no warm-up run, but two timed rounds with the
                    # servers alternating (Oxigraph first, then the API first), so that neither
                    # always meets a cold page cache or always follows the other.
                    t_api, t_ox, n_api, n_ox = [], [], 0, 0
                    for first in ("oxigraph", "api"):
                        for who in ((first, "api") if first == "oxigraph" else (first, "oxigraph")):
                            if who == "api":
                                got, n_api = time_http(client, api_url + api_path(name, report_id), runs=1,
                                                       budget=0, headers=accept, warm=False)
                                t_api += got
                            else:
                                got, n_ox = time_http(client, ox_url + "/query", runs=1, budget=0,
                                                      params={"query": limited(text)}, headers=accept, warm=False)
                                t_ox += got
                    rows[name].update(api=_pct(t_api), oxigraph=_pct(t_ox), api_bytes=n_api, oxigraph_bytes=n_ox)
                    log(f"  {size} {name:22s} api p50 {rows[name]['api']['p50_ms']:8.1f} ms   "
                        f"oxigraph p50 {rows[name]['oxigraph']['p50_ms']:8.1f} ms")
                    continue
                # Both servers read the same files: one untimed run warms the OS page cache for
                # both, then each is timed (each also warms its own process first).
                client.get(ox_url + "/query", params={"query": limited(text)}, headers=accept)
                t_api, n_api = time_http(client, api_url + api_path(name, report_id), runs=runs, budget=budget,
                                         headers=accept)
                t_ox, n_ox = time_http(client, ox_url + "/query", runs=runs, budget=budget,
                                       params={"query": limited(text)}, headers=accept)
                rows[name].update(api=_pct(t_api), oxigraph=_pct(t_ox), api_bytes=n_api, oxigraph_bytes=n_ox)
                log(f"  {size} {name:22s} api p50 {rows[name]['api']['p50_ms']:8.1f} ms   "
                    f"oxigraph p50 {rows[name]['oxigraph']['p50_ms']:8.1f} ms")
            search = time_search(client, api_url, store, searched)
            log(f"  {size} /search {search['q2']['q']!r} p50 {search['q2']['p50_ms']:.1f} ms ({search['q2']['hits']} hits), "
                f"{search['q6']['q']!r} p50 {search['q6']['p50_ms']:.1f} ms ({search['q6']['hits']} hits), "
                f"{'index' if search['indexed'] else 'scan'}")
            for conns in () if smoke else (1, 10):
                load[f"api_{conns}"] = load_test(api_url + api_path(lookup, report_id), conns, load_seconds)
                load[f"oxigraph_{conns}"] = load_test(ox_url + "/query?" + urlencode({"query": limited(queries[lookup])}),
                                                      conns, load_seconds)
                log(f"  {size} load {conns} conn: api {load[f'api_{conns}']['rps']:.0f} req/s, "
                    f"oxigraph {load[f'oxigraph_{conns}']['rps']:.0f} req/s")
        # the CLI: a new process per query, as a person runs it
        cli_runs = 1 if quick or size >= 100000 else 3
        cli_queries = [] if smoke else [n for n in queries if size < 100000 or n in ("commitments", f"{LOOKUP}?report")]
        for name in cli_queries:
            args = [str(Path(PY).parent / "kg"), "query", name.split("?")[0], "--store", store, "--format", "json"]
            if name.endswith("?report"):
                args += ["--param", f"report={report_id}"]
            times = []
            for _ in range(cli_runs):
                t = time.perf_counter()
                proc = subprocess.run(args, capture_output=True, cwd=ROOT, env={**os.environ, **env})
                times.append(time.perf_counter() - t)
                if proc.returncode != 0:
                    log(f"  cli {name} failed: {proc.stderr.decode()[-300:]}")
                    break
            rows[name]["cli"] = _pct(times)
        if size <= rdflib_max and not smoke:
            # every query where rdflib answers in seconds; only the lookup at 10k reports and up
            rdf = run_rdflib(workdir, store, queries, report_id, quick or lookup_only or size >= 10000,
                             load_cap=5.0 if quick else 60.0)
            for name, value in rdf.get("memory", {}).items():
                rows[name]["rdflib"] = value
            for name, value in rdf.get("endpoint", {}).items():
                rows[name]["rdflib_endpoint"] = value
            load.update({f"rdflib_endpoint_{k}": v for k, v in rdf.get("load", {}).items()})
            results[size] = {"queries": rows, "load": load, "search": search,
                             "rdflib_load_seconds": rdf.get("load_seconds"),
                             "rdflib_peak_mb": rdf.get("peak_mb"), "triples": rdf.get("triples")}
        else:
            results[size] = {"queries": rows, "load": load, "search": search}
        if on_size:
            on_size(results)
    return results


def _pct(times: list[float]) -> dict:
    return {"p50_ms": percentile(times, 50) * 1000, "p99_ms": percentile(times, 99) * 1000, "n": len(times)}


def run_rdflib(workdir: Path, store: str, queries: dict[str, str], report_id: str, quick: bool,
               load_cap: float = 60.0) -> dict:
    """rdflib in memory and rdflib-endpoint over the same data, in one child process; each load
    test of the endpoint lasts at most ``load_cap`` seconds (5 in --quick: an answer takes over a
    second, and four per connection at 10 connections took a minute of the two)."""
    dump = workdir / f"dump-{Path(store).name}.nq"
    if not dump.is_file():
        import pyoxigraph as ox

        st = ox.Store.read_only(store)
        st.dump(str(dump), format=ox.RdfFormat.N_QUADS)
        del st
    qfile = workdir / "queries.json"
    qfile.write_text(json.dumps({"queries": queries, "limit": QUERY_ROW_LIMIT, "lookup": f"{LOOKUP}?report"}))
    port = free_port()
    out_file = workdir / "rdflib-result.json"
    out_file.unlink(missing_ok=True)
    cmd = [PY, "-m", "bench.runner", "_rdflib", str(dump), str(qfile), str(port), str(out_file),
           "1" if quick else "0"]
    log(f"  rdflib: loading {dump.stat().st_size / 2**20:.0f} MB of N-Quads into memory …")
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stderr=sys.stderr)
    result: dict = {}
    try:
        deadline = time.monotonic() + RDFLIB_BUDGET
        while not out_file.is_file() and time.monotonic() < deadline:
            if proc.poll() is not None:
                log(f"  the rdflib process ended with {proc.returncode}")
                return {"error": f"rdflib process ended with {proc.returncode}"}
            time.sleep(0.5)
        if not out_file.is_file():
            log(f"  rdflib did not finish loading and querying within {RDFLIB_BUDGET:.0f} s: stopped")
            return {"error": f"rdflib did not answer within {RDFLIB_BUDGET:.0f} s"}
        result = json.loads(out_file.read_text())
        # the endpoint is up: same queries over HTTP, then load
        import httpx

        url = f"http://127.0.0.1:{port}/sparql"
        wait_http(url, 60, proc)
        runs, budget = (3, 10.0) if quick else (3, 20.0)
        endpoint = {}
        with httpx.Client(timeout=600) as client:
            for name in (f"{LOOKUP}?report",) if quick else queries:
                times, _ = time_http(client, url, runs=runs, budget=budget,
                                     params={"query": limited(queries[name])},
                                     headers={"Accept": "application/sparql-results+json"})
                endpoint[name] = _pct(times)
                log(f"  rdflib-endpoint {name:22s} p50 {endpoint[name]['p50_ms']:9.1f} ms")
        result["endpoint"] = endpoint
        lookup_url = url + "?" + urlencode({"query": limited(queries[f"{LOOKUP}?report"])})
        per = endpoint[f"{LOOKUP}?report"]["p50_ms"] / 1000
        result["load"] = {str(c): load_test(lookup_url, c, min(load_cap, max(3.0 if quick else 10.0, 4 * per * c)))
                          for c in (1, 10)}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return result


def _rdflib_main(argv: list[str]) -> int:
    """Internal: load N-Quads into rdflib, time the queries in memory, then serve rdflib-endpoint."""
    dump, qfile, port, out_file, quick = argv[0], argv[1], int(argv[2]), Path(argv[3]), argv[4] == "1"
    from rdflib import Dataset

    spec = json.loads(Path(qfile).read_text())
    queries, limit, lookup = spec["queries"], spec["limit"], spec["lookup"]
    with PeakMemory() as memory:
        t = time.perf_counter()
        ds = Dataset()
        ds.parse(dump, format="nquads")
        load_seconds = time.perf_counter() - t
    runs, budget = (3, 10.0) if quick else (3, 20.0)
    mem = {}
    for name in ((lookup,) if quick else queries):
        text = limited(queries[name], limit)
        times = repeat(lambda: list(ds.query(text)), runs=runs, budget=budget, warmup=0)
        mem[name] = _pct(times)
        print(f"  rdflib memory {name:22s} p50 {mem[name]['p50_ms']:9.1f} ms", file=sys.stderr, flush=True)
    tmp = out_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"memory": mem, "load_seconds": load_seconds, "peak_mb": memory.peak_self_mb,
                               "triples": len(ds)}))
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False)
    tmp.rename(out_file)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    return 0


# --- store -----------------------------------------------------------------------------------

def section_store(workdir: Path, stores: dict[int, str], quick: bool, smoke: bool = False) -> dict:
    """Bulk load of a ~1M-triple N-Quads file (0.1M in --quick)."""
    import pyoxigraph as ox

    from kg.store import EmbeddedStore, Store

    want = 100_000 if quick else 1_000_000
    if smoke:
        want = 2_000
    source = stores[max(stores)]
    nq = workdir / f"bulk-{want}.nq"
    if not nq.is_file():
        st = ox.Store.read_only(source)
        with open(nq, "wb") as out:
            lines = 0
            for quad in st.quads_for_pattern(None, None, None, None):
                out.write(str(quad).encode("utf-8") + b" .\n")
                lines += 1
                if lines >= want:
                    break
        del st
    quads = sum(1 for _ in open(nq, "rb"))
    graphs: dict[str, list[bytes]] = {}
    for line in open(nq, "rb"):
        head, _, graph = line.rstrip()[:-1].rstrip().rpartition(b" ")
        graphs.setdefault(graph.decode()[1:-1], []).append(head + b" .\n")
    items = [(g, b"".join(lines)) for g, lines in graphs.items()]
    out = {"quads": quads, "bytes": nq.stat().st_size, "graphs": len(items)}
    reps = 1 if quick else 3

    def fresh(name: str) -> Path:
        path = workdir / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def best(fn) -> float:
        times = []
        for _ in range(reps):
            times.append(fn())
        return percentile(times, 50)

    def raw() -> float:
        path = fresh("bulk-raw")
        st = ox.Store(str(path))
        t = time.perf_counter()
        st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        st.flush()
        dt = time.perf_counter() - t
        del st
        return dt

    def filled(name: str, fill) -> float:
        """Seconds ``fill(store)`` takes on a fresh EmbeddedStore, flush included; as for the
        anchor, the close (RocksDB shutdown) is not timed."""
        st = EmbeddedStore(fresh(name))
        t = time.perf_counter()
        fill(st)
        st._store.flush()
        dt = time.perf_counter() - t
        st.close()
        return dt

    from kg.parallel import WRITE_BATCH

    def ours() -> float:
        return filled("bulk-ours", lambda st: st.bulk_load(nq))

    def batched() -> float:
        def fill(st):
            for i in range(0, len(items), WRITE_BATCH):
                st.bulk_replace(items[i:i + WRITE_BATCH])
        return filled("bulk-batched", fill)

    def updates() -> float:
        path = fresh("bulk-updates")
        st = EmbeddedStore(path)
        sample = items[: max(1, len(items) // (20 if not quick else 5))]
        t = time.perf_counter()
        for iri, data in sample:
            Store.replace_ntriples(st, iri, data)  # the SPARQL update path, not EmbeddedStore's loader
        st.close()
        return (time.perf_counter() - t) * len(items) / len(sample)

    out["pyoxigraph_bulk_load_s"] = best(raw)
    out["store_bulk_load_s"] = best(ours)
    out["store_bulk_replace_s"] = best(batched)
    out["replace_graph_update_s_extrapolated"] = updates()
    for name in ("bulk-raw", "bulk-ours", "bulk-batched", "bulk-updates"):
        shutil.rmtree(workdir / name, ignore_errors=True)
    out["bulk_load_vs_pyoxigraph"] = out["store_bulk_load_s"] / out["pyoxigraph_bulk_load_s"]
    out["bulk_replace_vs_pyoxigraph"] = out["store_bulk_replace_s"] / out["pyoxigraph_bulk_load_s"]
    log(f"  {quads} quads: pyoxigraph bulk_load {out['pyoxigraph_bulk_load_s']:.2f} s, EmbeddedStore.bulk_load "
        f"{out['store_bulk_load_s']:.2f} s ({out['bulk_load_vs_pyoxigraph']:.2f}×), bulk_replace "
        f"{out['store_bulk_replace_s']:.2f} s ({out['bulk_replace_vs_pyoxigraph']:.2f}×)")
    return out


# --- export ----------------------------------------------------------------------------------

def section_export(workdir: Path, stores: dict[int, str], budget: float = 1200.0) -> dict:
    try:
        from kg.export import export  # noqa: F401
    except Exception as err:  # noqa: BLE001 - being written by someone else
        log(f"  kg.export is not importable ({type(err).__name__}: {err}): export skipped")
        return {"skipped": f"kg.export not importable: {err}"}
    out = {}
    last: tuple[int, float] | None = None
    for size, store in sorted(stores.items()):
        if last and last[1] * size / last[0] > budget:
            out[size] = {"error": f"skipped: about {last[1] * size / last[0]:.0f} s expected (linear), over the "
                                  f"{budget:.0f} s budget"}
            log(f"  export {size}: {out[size]['error']}")
            continue
        target = workdir / f"export-{size}.gexf"
        proc = subprocess.run([PY, "-m", "bench.runner", "_export", store, str(target)], capture_output=True,
                              text=True, cwd=ROOT)
        if proc.returncode != 0:
            out[size] = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
            log(f"  export {size}: {out[size]['error']}")
            continue
        out[size] = json.loads(proc.stdout.strip().splitlines()[-1])
        last = (size, out[size]["seconds"])
        log(f"  export {size}: {out[size]['seconds']:.1f} s, peak {out[size]['peak_mb']:.0f} MB, "
            f"{out[size]['bytes'] / 2**20:.1f} MB GEXF")
        target.unlink(missing_ok=True)
    return out


def _export_main(argv: list[str]) -> int:
    from kg.export import export
    from kg.store import open_store

    store, target = open_store(argv[0], read_only=True), Path(argv[1])
    with PeakMemory() as memory:
        t = time.perf_counter()
        written = export(store, "gexf", target)
        seconds = time.perf_counter() - t
    paths = written if isinstance(written, list) else [target]
    size = sum(Path(p).stat().st_size for p in paths if Path(p).is_file())
    print(json.dumps({"seconds": seconds, "peak_mb": memory.peak_self_mb, "bytes": size}))
    return 0


# --- the report ------------------------------------------------------------------------------

def ratios(result: dict) -> dict:
    """The five headline numbers (keys of --json)."""
    out: dict = {}
    ingest = [r for r in result.get("ingest", {}).get("runs", [])
              if r["mode"] == "files" and r["shacl"] and r["engine"] == "auto" and r["jobs"] == 2]
    if ingest:
        biggest = max(ingest, key=lambda r: r["size"])
        out["ingest_reports_per_s"] = round(biggest["reports_per_s"], 1)
    queries = result.get("queries", {})
    if queries:
        size = max(queries, key=int)
        rows = queries[size]["queries"]
        worst = max(((r["api"]["p50_ms"] / r["oxigraph"]["p50_ms"], n) for n, r in rows.items()
                     if "api" in r and "oxigraph" in r), default=None)
        if worst:
            out["api_vs_oxigraph_p50"] = round(worst[0], 2)
            out["api_vs_oxigraph_p50_worst_query"] = worst[1]
            out["api_vs_oxigraph_p50_at_reports"] = int(size)
        with_rdflib = [s for s in queries if "rdflib" in queries[s]["queries"].get(f"{LOOKUP}?report", {})]
        if with_rdflib:
            s = max(with_rdflib, key=int)
            row = queries[s]["queries"][f"{LOOKUP}?report"]
            out["vs_rdflib_memory"] = round(row["rdflib"]["p50_ms"] / row["api"]["p50_ms"], 1)
            load = queries[s]["load"]
            for conns in ("10", "1"):  # 10 connections, else 1 when the 10-connection run gave nothing
                slow = load.get(f"rdflib_endpoint_{conns}", {}).get("rps", float("nan"))
                fast = load.get(f"api_{conns}", {}).get("rps", float("nan"))
                if slow == slow and slow > 0 and fast == fast:
                    out["vs_rdflib_endpoint_rps"] = round(fast / slow, 1)
                    out["vs_rdflib_endpoint_connections"] = int(conns)
                    break
            out["vs_rdflib_at_reports"] = int(s)
    searched = [s for s in queries if "search" in queries[s]]
    if searched:  # /search over HTTP: the larger p50 of the 2- and the 6-character query
        s = max(searched, key=int)
        out["search_p50_ms"] = round(queries[s]["search"]["p50_ms"], 2)
        out["search_p50_ms_at_reports"] = int(s)
    if ingest:
        out["chars_per_s"] = round(biggest["chars_per_s"])
        out["triples_per_s"] = round(biggest["triples_per_s"])
    dev = [r for r in result.get("ingest", {}).get("runs", []) if r["mode"] == "corpus-dev"]
    if dev:
        out["dev_chars_per_s"] = round(dev[0]["chars_per_s"])
        out["dev_triples_per_s"] = round(dev[0]["triples_per_s"])
    stages = result.get("stages", {})
    if "corpus-dev" in stages:
        out["dev_extraction_chars_per_s"] = stages["corpus-dev"]["extraction_best"]["chars_per_s"]
    store = result.get("store", {})
    if "bulk_load_vs_pyoxigraph" in store:
        out["bulk_load_vs_pyoxigraph"] = round(store["bulk_load_vs_pyoxigraph"], 2)
    return out


GOALS = {"search_p50_ms": ("<=", 50), "dev_extraction_chars_per_s": (">=", 1_000_000), "ingest_reports_per_s": (">=", 100), "api_vs_oxigraph_p50": ("<=", 1.3), "vs_rdflib_memory": (">=", 20),
         "vs_rdflib_endpoint_rps": (">=", 10), "bulk_load_vs_pyoxigraph": ("<=", 1.2)}


def print_screen(result: dict) -> None:
    r = result["ratios"]
    print(f"policy-kg benchmarks — {result['date']} — {result['machine']['cpu']}, {result['machine']['cores']} cores"
          f"{' (quick)' if result['quick'] else ''}")
    for key, (op, goal) in GOALS.items():
        value = r.get(key)
        if value is None:
            print(f"  {key:26s}      —   (not measured)")
            continue
        met = value >= goal if op == ">=" else value <= goal
        print(f"  {key:26s} {value:9.2f}   goal {op} {goal:<5g} {'met' if met else 'NOT met'}")
    for key in ("chars_per_s", "triples_per_s", "dev_chars_per_s", "dev_triples_per_s"):
        if key in r:
            print(f"  {key:26s} {r[key]:9,}")
    for name, s in result.get("stages", {}).items():
        print(f"  stages on {name} ({s['reports']} reports, {s['characters']:,} characters, {s['triples']:,} triples), "
              f"a core: {s['cpu_ms_per_report']} ms CPU a report, peak {s['peak_mb']} MB")
        for stage, seconds in s["seconds"].items():
            print(f"    {stage:8s} {seconds:7.3f} s {s['chars_per_s'][stage] or 0:>12,} characters/s "
                  f"{s['triples_per_s'][stage] or 0:>10,} triples/s")
        print(f"    extraction alone (best pass) {s['extraction_best']['chars_per_s']:,} characters/s; end to end "
              f"{s['end_to_end_chars_per_s']:,} characters/s, {s['end_to_end_triples_per_s']:,} triples/s")
        jobs = s.get("ingest_jobs_2")
        if jobs:
            print(f"    kg ingest --jobs 2, fresh process: {jobs['chars_per_cpu_s']:,} characters/s a core "
                  f"({jobs['cpu_seconds']} s CPU in {jobs['processes']} processes, {jobs['seconds']} s wall, "
                  f"peak {jobs['peak_tree_mb']} MB)")
    v = result.get("validation", {}).get("rows")
    if v:
        print(f"  SHACL per report graph: pyshacl {v[0]['pyshacl_ms']:.1f} ms → turbo {v[0]['turbo_compiled_nt_ms']:.2f} ms"
              f" ({v[0]['speedup']:.0f}×, same verdicts: {v[0]['same_verdicts']})")
    for run in result.get("ingest", {}).get("runs", []):
        print(f"  ingest {run['size']:>6} {run['mode']:>15s} jobs={run['jobs']} shacl={'on ' if run['shacl'] else 'off'} "
              f"{run['engine']:7s} {run['reports_per_s']:7.1f} rep/s {run['mb_per_s']:6.2f} MB/s "
              f"{run['cpu_ms_per_report']:5.1f} ms CPU/rep  peak {run['peak_tree_mb']:6.0f} MB"
              + (f"  {run['chars_per_s']:,.0f} chars/s {run['triples_per_s']:,.0f} triples/s" if "chars_per_s" in run else ""))
    for size, q in sorted(result.get("queries", {}).items(), key=lambda kv: int(kv[0])):
        print(f"  queries at {size} reports (p50 ms): api / oxigraph / cli / rdflib / rdflib-endpoint")
        for name, row in q["queries"].items():
            cells = [row.get(k, {}).get("p50_ms") for k in ("api", "oxigraph", "cli", "rdflib", "rdflib_endpoint")]
            print(f"    {name:22s} " + " / ".join("—" if c is None else f"{c:.1f}" for c in cells))
        search = q.get("search")
        if search:
            print(f"    /search p50 ms: {search['q2']['q']} {search['q2']['p50_ms']:.1f} ({search['q2']['hits']} hits), "
                  f"{search['q6']['q']} {search['q6']['p50_ms']:.1f} ({search['q6']['hits']} hits), "
                  f"{'index' if search['indexed'] else 'scan'}")
        for key, value in q.get("load", {}).items():
            print(f"    load {key:22s} {value['rps']:8.1f} req/s  p99 {value['p99_ms']:.1f} ms ({value.get('tool')})")
    if result.get("store"):
        s = result["store"]
        print(f"  store: {s['quads']} quads, pyoxigraph bulk_load {s['pyoxigraph_bulk_load_s']:.2f} s, "
              f"EmbeddedStore.bulk_load {s['store_bulk_load_s']:.2f} s, bulk_replace {s['store_bulk_replace_s']:.2f} s")
    exp = result.get("export")
    if exp:
        for size, value in exp.items():
            if isinstance(value, dict) and "seconds" in value:
                print(f"  export gexf {size}: {value['seconds']:.1f} s, peak {value['peak_mb']:.0f} MB")
            else:
                print(f"  export: {value}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_ingest":
        return _ingest_main(argv[1:])
    if argv and argv[0] == "_rdflib":
        return _rdflib_main(argv[1:])
    if argv and argv[0] == "_export":
        return _export_main(argv[1:])
    parser = argparse.ArgumentParser(prog="bench/run", description="policy-kg benchmarks (see BENCHMARKS.md)")
    parser.add_argument("--quick", action="store_true", help="small sizes, every section, under two minutes")
    parser.add_argument("--smoke", action="store_true",
                        help="a few seconds: 20 reports, one ingest, API and Oxigraph queries once, store (for CI)")
    parser.add_argument("--json", dest="json_file", help="write the results (and the ratios) to this file")
    parser.add_argument("--workdir", default=os.environ.get("POLICY_KG_BENCH_DIR", "/tmp/policy-kg-bench"),
                        help="where corpora, stores and dumps go (reused between runs)")
    parser.add_argument("--sizes", help="ingest sizes in reports, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--query-sizes", help="sizes to run the query section at (default: all)")
    parser.add_argument("--skip", default="", help="sections to skip: validation,stages,ingest,queries,store,export")
    parser.add_argument("--lean", action="store_true",
                        help="ingest: only the SHACL-on runs (two jobs at every size, one job at the smallest)")
    parser.add_argument("--clean", action="store_true", help="delete the workdir afterwards")
    parser.add_argument("--rdflib-max", type=int, default=RDFLIB_MAX_REPORTS,
                        help="largest size rdflib and rdflib-endpoint are run at")
    parser.add_argument("--rdflib-lookup-only", action="store_true",
                        help="time only the one-document lookup on rdflib (each rdflib query takes seconds)")
    parser.add_argument("--export-budget", type=float, default=1200.0,
                        help="skip an export size whose linear estimate exceeds this many seconds")
    args = parser.parse_args(argv)
    if args.smoke:
        args.quick = True
        args.sizes = args.sizes or "20"
        args.skip = ",".join(filter(None, [args.skip, "validation", "export", "stages"]))
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([20] if args.quick else [1000, 10000, 100000])
    query_sizes = [int(s) for s in args.query_sizes.split(",")] if args.query_sizes else sorted(sizes)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "quick": args.quick,
                    "smoke": args.smoke,
                    "machine": machine(), "versions": versions(), "sizes": sizes, "loadavg_start": loadavg()}
    from kg.graph.validate import resolve_engine

    result["shacl_engine"] = resolve_engine()
    stores: dict[int, str] = {}

    def save() -> None:  # after every section, so a long run that stops keeps what it measured
        if args.json_file:
            Path(args.json_file).write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))

    if "validation" not in skip:
        log("validation …")
        result["validation"] = section_validation(args.quick)
        save()
    if "stages" not in skip:
        log("stages …")
        result["stages"] = section_stages(workdir, args.quick)
        save()
    if "ingest" not in skip:
        log("ingest …")
        result["ingest"] = section_ingest(workdir, sizes, args.quick, args.smoke, args.lean)
        stores = {int(k): v for k, v in result["ingest"]["stores"].items()}
        save()
    else:
        stores = {s: str(workdir / f"store-{s}") for s in sizes if (workdir / f"store-{s}").is_dir()}
    if "queries" not in skip and stores:
        log("queries …")
        result["queries"] = section_queries(workdir, stores, query_sizes, args.quick, args.smoke,
                                            on_size=lambda partial: (result.update(queries=partial), save()),
                                            rdflib_max=args.rdflib_max, lookup_only=args.rdflib_lookup_only)
        save()
    if "store" not in skip and stores:
        log("store …")
        result["store"] = section_store(workdir, stores, args.quick, args.smoke)
        save()
    if "export" not in skip and stores:
        log("export …")
        result["export"] = section_export(workdir, stores, args.export_budget)
    result["ratios"] = ratios(result)
    result["seconds"] = time.perf_counter() - started
    result["loadavg_end"] = loadavg()
    print_screen(result)
    print(f"  ({result['seconds']:.0f} s in all)")
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    if args.clean:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
