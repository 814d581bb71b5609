"""The one-report lookup against the Oxigraph server, on a store that is already there.

    .venv/bin/python -m bench.lookup_ratio STORE REPORT_ID [uvicorn options, e.g. --loop asyncio --http h11]

Starts the API (``uvicorn --factory api.app:app_from_env``, no token: it reads the store's newest
snapshot) and ``oxigraph serve-read-only`` on that same snapshot, then sends
``GET /queries/documents?report=REPORT_ID`` to the API and the same SPARQL (with the API's row cap
as LIMIT) to Oxigraph: 30 untimed each, then 6 rounds of 100 timed requests, the servers taking
turns at going first, over one keep-alive connection. Prints one JSON line: both p50s and their
ratio. A store made by ``bench/run`` names its reports ``syn1-0005000`` and so on.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.runner import LOOKUP, api_path, free_port, limited, named_query_texts, server  # noqa: E402

ACCEPT = {"Accept": "application/sparql-results+json"}


def main(argv: list[str]) -> int:
    store, report, uvicorn_options = argv[0], argv[1], argv[2:]
    bin_dir = Path(sys.executable).parent
    query = named_query_texts(report)[f"{LOOKUP}?report"]
    snapshot = Path(store + ".snapshots") / (Path(store + ".snapshots") / "CURRENT").read_text().strip()
    api_port, ox_port = free_port(), free_port()
    api_cmd = [sys.executable, "-m", "uvicorn", "--factory", "api.app:app_from_env", "--host", "127.0.0.1",
               "--port", str(api_port), "--log-level", "warning", *uvicorn_options]
    ox_cmd = [str(bin_dir / "oxigraph"), "serve-read-only", "--location", str(snapshot), "--bind", f"127.0.0.1:{ox_port}"]
    env = {"POLICY_KG_STORE": store, "POLICY_KG_TOKEN": "", "POLICY_KG_ROW_LIMIT": "10000"}
    with server(api_cmd, f"http://127.0.0.1:{api_port}/queries", env), server(ox_cmd, f"http://127.0.0.1:{ox_port}/"), \
            httpx.Client(timeout=60) as client:
        api_url = f"http://127.0.0.1:{api_port}" + api_path(f"{LOOKUP}?report", report)
        ox_url, params = f"http://127.0.0.1:{ox_port}/query", {"query": limited(query)}
        times: dict[str, list[float]] = {"api": [], "oxigraph": []}

        def get(who: str) -> httpx.Response:
            return client.get(api_url, headers=ACCEPT) if who == "api" else client.get(ox_url, params=params, headers=ACCEPT)

        rows = [len(get(who).json()["results"]["bindings"]) for who in ("api", "oxigraph")]
        for _ in range(30):
            get("api"), get("oxigraph")
        for round_ in range(6):
            for who in (("api", "oxigraph") if round_ % 2 else ("oxigraph", "api")):
                for _ in range(100):
                    start = time.perf_counter()
                    response = get(who)
                    times[who].append(time.perf_counter() - start)
                    assert response.status_code == 200, response.text[:200]
    api_p50, ox_p50 = (statistics.median(times[w]) * 1000 for w in ("api", "oxigraph"))
    print(json.dumps({"store": store, "report": report, "rows": rows, "uvicorn": uvicorn_options,
                      "api_p50_ms": round(api_p50, 3), "oxigraph_p50_ms": round(ox_p50, 3),
                      "ratio": round(api_p50 / ox_p50, 3), "requests_each": len(times["api"])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
