#!/usr/bin/env python3
"""Long schemathesis run against the HTTP API (not in CI; tests/test_api_fuzz.py is the short one).

    .venv/bin/python fuzz/api_schemathesis.py [--examples 100] [--seed N] [--run-timeout 900]

Loads examples/ into a temporary embedded store, serves the API with a real uvicorn on
127.0.0.1 (loopback only) and runs the schemathesis CLI against its /openapi.json twice:

1. ``open``:  no token configured (writes are off: UPDATE and POST /reports must answer 403);
2. ``token``: a token configured and sent with every request (``-H Authorization: Bearer …``),
   so that UPDATE and ingest are exercised too (probes without it must get 401).

Every operation, every phase (examples, coverage, fuzzing, stateful) and every check
(``[checks] enabled = true``: no 5xx, status codes, content types, headers and response
bodies as the description declares them, valid data accepted, invalid data refused, auth enforced, 405 and
Allow for other methods ...). Where a schema cannot say what the server must check (any text is
a schema-valid SPARQL query, and still a malformed one; an uploaded file may be no text at all;
an export may name a region the graph lacks) the status the API documents for it counts as an
acceptance: see ACCEPTED below. Independently of schemathesis, the server side counts every
answer by status and every unhandled exception.

Prints a summary (cases, failures, time per run). Exits 1 on any failure, any 5xx, any
unhandled exception, a run cut by its time limit, or fewer than --min-cases cases in all.
Needs: pip install schemathesis (4.x).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from kg.ingest import ingest_paths  # noqa: E402
from kg.store import EmbeddedStore  # noqa: E402
from kg.graph.vocab import DCTERMS, ID, PKG  # noqa: E402
from tests.api_fixtures import serve  # noqa: E402  (the tests' real uvicorn in a thread)

TOKEN = "fuzz-token-6f1c2d"
# Statuses that count as "accepted" for schema-valid requests (positive_data_acceptance),
# where the description cannot express what the server checks. Each is documented on the route.
ACCEPTED = {
    # any string is a schema-valid query, but most are malformed SPARQL: 400 with the parser's message
    ("/sparql", "GET"): ["2xx", "400", "401", "403", "404"],
    ("/sparql", "POST"): ["2xx", "400", "401", "403", "404"],
    # a file that is no text (400), a report the ingester refuses (422: no year, SHACL violations)
    ("/reports", "POST"): ["2xx", "400", "401", "403", "422"],
    # a jurisdiction label the graph does not hold: 422 "no region ..."
    ("/export", "GET"): ["2xx", "422"],
}


# Loaded by the schemathesis CLI (SCHEMATHESIS_HOOKS): SPARQL bodies are text.
HOOKS = """import schemathesis

schemathesis.serializer.alias(["application/sparql-query", "application/sparql-update"], "text/plain")
"""


def real_values(store, seed: int, per_kind: int = 25) -> dict[str, list[str]]:
    """Identifiers of nodes the store holds, so that part of the cases reach real pages and
    lookups rather than 404 (schemathesis draws them with probability 0.5)."""
    data = store.select("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
                        f"FILTER(STRSTARTS(STR(?s), \"{ID}\")) }}")
    locals_ = sorted(b["s"]["value"][len(str(ID)):] for b in data["results"]["bindings"])
    rng = random.Random(seed)
    pick = lambda items: sorted(rng.sample(items, min(per_kind, len(items))))  # noqa: E731
    values = {}
    for kind in ("agency", "document", "region"):
        values[kind] = pick([x.split("/", 1)[1] for x in locals_ if x.startswith(kind + "/") and x.count("/") == 1])
    reports = store.select(f"SELECT DISTINCT ?id WHERE {{ GRAPH ?g {{ ?r a <{PKG}Report> ; "
                           f"<{DCTERMS}identifier> ?id }} }}")
    values["report"] = sorted(b["id"]["value"] for b in reports["results"]["bindings"])
    return {name: found for name, found in values.items() if found}


def config_toml(token: str | None, values: dict[str, list[str]]) -> str:
    """The schemathesis configuration of one run (ACCEPTED per operation, real identifiers)."""
    blocks = ["[checks]\nenabled = true  # every check; named per operation below where one does not apply\n"]
    for name, found in values.items():
        blocks.append(f"[dictionaries.{name}]\nvalues = {json.dumps(found, ensure_ascii=False)}\n")
    # (not /id/{path}: its values hold "/", which schemathesis filters out of path parameters)
    bindings = {"GET /agencies/{id}": ("path.id", "agency"),
                "GET /documents/{id}": ("path.id", "document"), "GET /regions/{id}": ("path.id", "region")}
    for operation, (key, name) in bindings.items():
        if name in values:
            blocks.append(f'[[operations]]\ninclude-name = "{operation}"\n'
                          f'parameters = {{ "{key}" = {{ dictionary = "{name}", probability = 0.5 }} }}\n')
    if "report" in values:
        blocks.append('[[operations]]\ninclude-path-regex = "^/queries/"\n'
                      'parameters = { "query.report" = { dictionary = "report", probability = 0.5 } }\n')
    for (path, method), statuses in ACCEPTED.items():
        block = (f'[[operations]]\ninclude-name = "{method} {path}"\n'
                 f'checks.positive_data_acceptance.expected-statuses = {json.dumps(statuses)}\n')
        if path == "/reports":
            # Multipart fields are text: a number drawn as a "wrong type" for a text field (id,
            # title ...) arrives as that text, which is a valid value. The negatives that mean
            # something (no file, a year that is none) are in tests/test_api_pages.py.
            block += "checks.negative_data_rejection.enabled = false\n"
        if not token and path == "/reports":
            # Writes are off: 403 with or without credentials (re-authenticating cannot help),
            # where this check insists on 401 for a missing Authorization header.
            block += "checks.missing_required_header.enabled = false\n"
        blocks.append(block)
    return "\n".join(blocks)


class Recorder:
    """ASGI wrapper: counts answers by status and keeps unhandled exceptions (server side)."""

    def __init__(self, app):
        self.app = app
        self.statuses: collections.Counter[int] = collections.Counter()
        self.requests: collections.Counter[str] = collections.Counter()  # by route (first path segment)
        self.bodies: collections.Counter[str] = collections.Counter()  # POST /sparql by content type
        self.server_errors: list[str] = []
        self.exceptions: list[str] = []
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").split(b";")[0].decode("latin-1")
        route = "/" + scope["path"].lstrip("/").split("/", 1)[0]
        with self._lock:
            self.requests[route if scope["method"] in ("GET", "POST") else "other methods"] += 1
            if scope["method"] == "POST" and route == "/sparql":
                self.bodies[ctype or "none"] += 1

        async def watch(message):
            if message["type"] == "http.response.start":
                status = message["status"]
                with self._lock:
                    self.statuses[status] += 1
                    if status >= 500:
                        self.server_errors.append(f"{status} {scope['method']} {scope.get('raw_path', b'')[:300]!r}")
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:  # noqa: BLE001 - recorded, then re-raised for uvicorn's 500
            with self._lock:
                self.exceptions.append(f"{scope['method']} {scope.get('raw_path', b'')[:300]!r}\n"
                                       + traceback.format_exc())
            raise


def run_schemathesis(url: str, name: str, args, workdir: Path, token: str | None,
                     values: dict[str, list[str]]) -> dict:
    report = workdir / f"report-{name}.json"
    config = workdir / f"schemathesis-{name}.toml"
    config.write_text(config_toml(token, values), encoding="utf-8")
    (workdir / "policy_kg_fuzz_hooks.py").write_text(HOOKS, encoding="utf-8")
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
               "run", f"{url}/openapi.json", "--phases", "examples,coverage,fuzzing,stateful",
               "--max-examples", str(args.examples), "--seed", str(args.seed), "--workers", str(args.workers),
               "--request-timeout", "60", "--generation-database", "none",
               "--report", "json", "--report-json-path", str(report),
               "--report-dir", str(workdir / f"reports-{name}")]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120",
               SCHEMATHESIS_HOOKS=str(workdir / "policy_kg_fuzz_hooks.py"))
    start = time.monotonic()
    timed_out = False
    log = workdir / f"schemathesis-{name}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=workdir)
        try:
            proc.wait(timeout=args.run_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    seconds = time.monotonic() - start
    output = log.read_text(errors="replace")
    data = json.loads(report.read_text()) if report.is_file() else {}
    cases = (data.get("test_cases") or {})
    failures = data.get("failures") or []
    return {"name": name, "exit": proc.returncode, "timed_out": timed_out, "seconds": seconds,
            "generated": int(cases.get("generated") or 0), "failures": failures,
            "operations": data.get("operations") or {}, "stop": data.get("stop_reason"),
            "output": output, "report": data}


def failure_count(result: dict) -> int:
    """Failures (by check and operation) plus errors (network errors, timeouts ...) of one run."""
    groups = list(result["failures"]) + list(result["report"].get("errors") or [])
    return sum(int(group.get("count") or 1) for group in groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="cases per operation and phase (default 100)")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed (default: random, printed)")
    parser.add_argument("--workers", type=int, default=1,
                        help="schemathesis workers (default 1: with more, schemathesis 4.32 on Python 3.11 "
                             "can hit a CPython AST bug in its threads and report a Runtime Error)")
    parser.add_argument("--run-timeout", type=float, default=900.0, help="seconds per run before it is cut (900)")
    parser.add_argument("--min-cases", type=int, default=2000, help="fewest cases in all for a pass (2000)")
    parser.add_argument("--query-timeout", type=float, default=5.0, help="the API's query time limit (5 s)")
    parser.add_argument("--keep", type=Path, default=None, help="keep logs and reports in this folder")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.randrange(2**32)
    try:
        import schemathesis
    except ImportError:
        print("needs schemathesis: .venv/bin/pip install schemathesis", file=sys.stderr)
        return 2
    print(f"schemathesis {schemathesis.__version__}, seed {args.seed}, {args.examples} examples per operation")

    with tempfile.TemporaryDirectory(prefix="policy-kg-fuzz-api-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        store = EmbeddedStore(Path(tmp) / "store")
        summary = ingest_paths([ROOT / "examples"], store)
        if not summary.stored:
            print("could not load examples/: " + "; ".join(o.error for o in summary.failed), file=sys.stderr)
            return 2
        print(f"store: {len(summary.stored)} example reports, {summary.triples} triples")
        values = real_values(store, args.seed)
        results, recorders = [], []
        try:
            for name, token in (("open", None), ("token", TOKEN)):
                recorder = Recorder(create_app(store, token=token, query_timeout=args.query_timeout))
                recorders.append(recorder)
                with serve(recorder, log_level="error", timeout_keep_alive=30) as url:
                    print(f"\n== run '{name}': {'token configured and sent' if token else 'no token configured'} "
                          f"({url})", flush=True)
                    result = run_schemathesis(url, name, args, work, token, values)
                results.append(result)
                tail = result["output"].strip().splitlines()
                print("\n".join(tail[-12:]))
        finally:
            store.close()

        print("\n== summary")
        print(f"{'run':<7} {'operations':>10} {'cases':>7} {'failures':>8} {'5xx':>4} {'exceptions':>10} "
              f"{'seconds':>8}  stop")
        ok = True
        for result, recorder in zip(results, recorders):
            ops = result["operations"]
            fails = failure_count(result)
            fivexx = sum(n for status, n in recorder.statuses.items() if status >= 500)
            print(f"{result['name']:<7} {str(ops.get('tested', '?')) + '/' + str(ops.get('total', '?')):>10} "
                  f"{result['generated']:>7} {fails:>8} {fivexx:>4} {len(recorder.exceptions):>10} "
                  f"{result['seconds']:>8.1f}  {result['stop'] or ('timed out' if result['timed_out'] else '?')}")
            print(f"        server answers by status: {dict(sorted(recorder.statuses.items()))}")
            print(f"        requests by route: {dict(recorder.requests.most_common())}")
            print(f"        POST /sparql bodies: {dict(recorder.bodies.most_common())}")
            if fails or result["exit"] != 0 or result["timed_out"] or fivexx or recorder.exceptions:
                ok = False
            if result["exit"] != 0 and not fails:
                print(f"        schemathesis exited {result['exit']}; its output:\n" + result["output"][-4000:])
            for line in recorder.server_errors[:20]:
                print(f"        5xx: {line}")
            for text in recorder.exceptions[:5]:
                print("        exception: " + text.replace("\n", "\n        "))
        total = sum(r["generated"] for r in results)
        total_failures = sum(failure_count(r) for r in results)
        seconds = sum(r["seconds"] for r in results)
        print(f"total   {'':>10} {total:>7} {total_failures:>8}  in {seconds:.0f} s (seed {args.seed})")
        if total < args.min_cases:
            print(f"too few cases: {total} < {args.min_cases} (raise --examples)")
            ok = False
        if not ok:
            failed_output = [r for r in results if failure_count(r) or r["exit"] != 0]
            for result in failed_output:
                text = result["output"]
                starts = [i for i in (text.find("= ERRORS ="), text.find("= FAILURES =")) if i >= 0]
                shown = text[text.rfind("\n", 0, min(starts)) + 1:] if starts else text[-6000:]
                print(f"\n== failures of run '{result['name']}'\n" + shown)
        print("\nPASS" if ok else "\nFAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
