"""A bounded load run against `kg serve` on loopback, with runaway queries mixed in.

    .venv/bin/python bench/hostile_load.py [--requests 3000] [--connections 16] [--json FILE]

Builds a store from examples/ (and ../shared/corpus when present), starts `kg serve` on
127.0.0.1 with a 2 s query timeout, then runs two phases with the same lookups (agency and
document lookups, a report page, named queries, small client SPARQL):

1. baseline: lookups only;
2. hostile: the same lookups with runaways mixed in (one request in ``--every``): cross
   products, a memory bomb (nested CONCAT), a 30,000-term ``1+1+…`` chain and an 8,000-step
   property path.

It prints (and writes as JSON) the status codes per kind of request, lookup latency p50/p99
in each phase, and the server's memory (its process and its workers) before, between and
after the phases. The loop is bounded in count and time and talks to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
KG = Path(sys.executable).with_name("kg")
SHARED = ROOT.parent / "shared" / "corpus"

RUNAWAYS = {
    "cross-product": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } "
                     "GRAPH ?i { ?x ?y ?z } GRAPH ?j { ?k ?l ?m } }",
    "memory-bomb": 'SELECT (STRLEN(?v30) AS ?n) WHERE { BIND("' + "x" * 72 + '" AS ?v0) '
                   + " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(30)) + " }",
    "long-chain": "SELECT (" + "+".join(["1"] * 30000) + " AS ?n) WHERE {}",
    "long-path": "PREFIX e: <http://e/> SELECT (COUNT(*) AS ?n) WHERE { ?s " + "/".join(["e:p"] * 8000) + " ?o }",
}


def lookups(report_id: str) -> list[tuple[str, dict]]:
    return [
        ("/agencies", {"q": "司法"}),
        ("/documents", {"q": "条例"}),
        ("/targets", {}),
        (f"/id/report/{report_id}", {}),
        ("/queries/documents", {}),
        ("/queries/agencies", {}),
    ]


SMALL_SPARQL = "SELECT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/policy-kg/ontology#Report> } } LIMIT 5"


def server_memory(pid: int) -> int:
    """Resident bytes of the server and its worker processes."""
    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def phase(url: str, report_id: str, requests: int, connections: int, every: int,
                deadline: float) -> dict:
    plan: list[tuple[str, str, dict]] = []
    rng = random.Random(7)
    kinds = list(RUNAWAYS)
    for i in range(requests):
        if every and i % every == every - 1:
            kind = kinds[(i // every) % len(kinds)]
            plan.append((kind, "/sparql", {"query": RUNAWAYS[kind]}))
        elif i % 10 == 5:  # well-behaved client SPARQL, which shares the client slots with runaways
            plan.append(("small-sparql", "/sparql", {"query": SMALL_SPARQL}))
        else:
            path, params = rng.choice(lookups(report_id))
            plan.append(("lookup", path, params))
    statuses: dict[str, Counter] = {}
    latency: dict[str, list[float]] = {}
    queue: asyncio.Queue = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            kind, path, params = queue.get_nowait()
            started = time.monotonic()
            try:
                headers = {"Accept": "application/sparql-results+json, application/json"}
                if kind in ("lookup", "small-sparql"):
                    r = await client.get(url + path, params=params, headers=headers)
                else:  # long runaways go in a POST body, as a client would send them
                    r = await client.post(url + path, data=params, headers=headers)
                status = r.status_code
            except httpx.HTTPError as err:
                status = type(err).__name__
            if kind in ("lookup", "small-sparql"):
                latency.setdefault(kind, []).append(time.monotonic() - started)
            statuses.setdefault(kind, Counter())[str(status)] += 1

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=connections)) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    return {"requests": sum(sum(c.values()) for c in statuses.values()),
            "statuses": {kind: dict(counts) for kind, counts in statuses.items()},
            **{f"{kind}_{name}_ms": round(pct(values, q), 1) for kind, values in sorted(latency.items())
               for name, q in (("p50", 0.5), ("p99", 0.99))}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests in the hostile phase")
    parser.add_argument("--baseline", type=int, default=1500, help="requests in the baseline phase")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--every", type=int, default=100, help="one runaway in this many requests")
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policy-kg-load-") as tmp:
        store = Path(tmp) / "store"
        sources = [str(ROOT / "examples")] + ([str(SHARED)] if SHARED.is_dir() else [])
        subprocess.run([str(KG), "ingest", *sources, "--store", str(store)], check=True,
                       stdout=subprocess.DEVNULL)
        port = _free_port()
        env = {**os.environ, "POLICY_KG_QUERY_TIMEOUT": "2"}
        server = subprocess.Popen([str(KG), "serve", "--store", str(store), "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, server)
            report_id = "haibin-sfj-2025"
            deadline = time.monotonic() + args.max_seconds
            asyncio.run(phase(url, report_id, 100, args.connections, 0, deadline))  # warm up
            memory = {"start": server_memory(server.pid)}
            base = asyncio.run(phase(url, report_id, args.baseline, args.connections, 0, deadline))
            memory["after_baseline"] = server_memory(server.pid)
            hostile = asyncio.run(phase(url, report_id, args.requests, args.connections, args.every, deadline))
            time.sleep(3)  # the last runaways reach their deadline and their workers are replaced
            memory["after_hostile"] = server_memory(server.pid)
            after = asyncio.run(phase(url, report_id, args.baseline, args.connections, 0, deadline))
            memory["end"] = server_memory(server.pid)
            alive = server.poll() is None
        finally:
            server.terminate()
            server.wait(10)
    result = {"baseline": base, "hostile": hostile, "after": after, "server_alive": alive,
              "memory_mb": {k: round(v / 2**20) for k, v in memory.items()}}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # Lookups must all succeed; client SPARQL (runaways and small queries, which share the
    # client slots) may be told 503 (busy) or 504 (past the limit); nothing may get another 5xx.
    bad = {kind: {s: n for s, n in counts.items() if not s.startswith(("2", "503", "504"))
                  or (kind == "lookup" and not s.startswith("2"))}
           for phase_ in (base, hostile, after) for kind, counts in phase_["statuses"].items()}
    bad = {k: v for k, v in bad.items() if v}
    if bad or not alive:
        print(f"FAILED: unexpected answers {bad}; server alive: {alive}", file=sys.stderr)
        return 1
    return 0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kg serve exited with {proc.returncode}")
        try:
            if httpx.get(url + "/queries", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url}: kg serve did not answer within {timeout:g} s")


if __name__ == "__main__":
    sys.exit(main())
