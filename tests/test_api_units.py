"""Unit tests of the API's helpers: content negotiation, query-form sniffing, the runner."""
from __future__ import annotations

import asyncio
import time

import pytest
from fastapi import HTTPException

from api.negotiation import GRAPH_ALIASES, GRAPH_TYPES, RESULT_ALIASES, RESULT_TYPES, negotiate, parse_accept
from api.runner import Runner
from api.sparql import query_form
from kg.store import EmbeddedStore, QuerySyntaxError


@pytest.mark.parametrize("header, expected", [
    (None, "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("TEXT/CSV", "text/csv"),
    ("text/csv; charset=utf-8", "text/csv"),
    ("text/tab-separated-values, text/csv", "text/tab-separated-values"),
    ("text/csv;q=0.2, text/tab-separated-values;q=0.3", "text/tab-separated-values"),
    ("text/*;q=0.5, text/csv;q=0.1", "text/tab-separated-values"),  # most specific range wins
    ("*/*;q=0.9, application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/json;q=0.5, text/xml", "application/sparql-results+xml"),
    ("text/csv;q=oops, */*;q=0.1", "application/sparql-results+json"),
    ("image/png", None),
    ("*/*;q=0", None),
])
def test_negotiate_results(header, expected):
    assert negotiate(header, RESULT_TYPES, RESULT_ALIASES) == expected


@pytest.mark.parametrize("header, expected", [
    ("application/ld+json, text/turtle;q=0.9", "application/ld+json"),
    ("application/x-turtle", "text/turtle"),
    ("text/plain", "application/n-triples"),
    ("application/sparql-results+json", None),
])
def test_negotiate_graphs(header, expected):
    assert negotiate(header, GRAPH_TYPES, GRAPH_ALIASES) == expected


def test_parse_accept():
    ranges = parse_accept("text/html, application/xml;q=0.9, */*;q=0.8")
    assert [(r.type, r.q) for r in ranges] == [("text/html", 1.0), ("application/xml", 0.9), ("*/*", 0.8)]


@pytest.mark.parametrize("query, form", [
    ("SELECT * WHERE {}", "SELECT"),
    ("  prefix ex: <http://ex/#a>\n# a comment with CONSTRUCT\nBASE <http://b/>\nconstruct {} where {}", "CONSTRUCT"),
    ("PREFIX : <http://x/>\nDESCRIBE :a", "DESCRIBE"),
    ("#ask me\nASK {}", "ASK"),
    ("INSERT DATA {}", None),
    ("", None),
])
def test_query_form(query, form):
    assert query_form(query) == form


def test_runner_timeout_busy_and_errors(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    runner = Runner(store, timeout=0.3, row_limit=10, max_workers=1)

    async def scenario():
        start = time.monotonic()
        with pytest.raises(HTTPException) as slow:
            await runner.call(time.sleep, 1.0)
        assert slow.value.status_code == 504 and time.monotonic() - start < 0.8
        with pytest.raises(HTTPException) as busy:  # the one worker is still sleeping
            await runner.call(lambda: 1)
        assert busy.value.status_code == 503
        await asyncio.sleep(1.0)
        assert await runner.call(lambda: 42) == 42

        def bad():
            raise QuerySyntaxError("SPARQL syntax error: error at 1:1")
        with pytest.raises(HTTPException) as syntax:
            await runner.call(bad)
        assert syntax.value.status_code == 400 and "1:1" in syntax.value.detail

    asyncio.run(scenario())
    store.close()


def test_settings_from_the_environment_and_arguments_win(tmp_path, monkeypatch):
    from api.app import app_from_env, create_app

    folder = tmp_path / "store"
    EmbeddedStore(folder).close()
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "one.rq").write_text("#+ summary: One.\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    monkeypatch.setenv("POLICY_KG_STORE", str(folder))
    monkeypatch.setenv("POLICY_KG_TOKEN", "env-token")
    monkeypatch.setenv("POLICY_KG_QUERY_TIMEOUT", "7.5")
    monkeypatch.setenv("POLICY_KG_ROW_LIMIT", "123")
    monkeypatch.setenv("POLICY_KG_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("POLICY_KG_QUERIES", str(queries))
    app = app_from_env()
    runner = app.state.runner
    assert (runner.timeout, runner.row_limit, app.state.token) == (7.5, 123, "env-token")
    assert "/queries/one" in app.openapi()["paths"]
    assert any("CORSMiddleware" in repr(m) for m in app.user_middleware)
    runner.store.close()
    app = create_app(str(folder), token="", query_timeout=2, row_limit=5, cors_origins=[])
    runner = app.state.runner
    assert (runner.timeout, runner.row_limit, app.state.token) == (2, 5, None)
    assert runner.store.read_only  # no token: the store is opened read-only
    assert not any("CORSMiddleware" in repr(m) for m in app.user_middleware)
    runner.store.close()
    monkeypatch.delenv("POLICY_KG_STORE")
    with pytest.raises(ValueError):
        create_app()


def test_sparql_router_mounts_in_any_app(tmp_path):
    import httpx
    from fastapi import FastAPI

    from api.sparql import sparql_router

    from .api_fixtures import serve

    store = EmbeddedStore(tmp_path / "s")
    store.update('INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> "o" } }')
    app = FastAPI()
    app.include_router(sparql_router(store, path="/kg/sparql", row_limit=1), prefix="/v1")
    with serve(app) as url, httpx.Client(base_url=url) as client:
        response = client.get("/v1/kg/sparql", params={"query": "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
                              headers={"Accept": "text/csv"})
        assert response.status_code == 200 and response.text.splitlines() == ["o", "o"]
        assert response.headers["x-row-limit"] == "1"
        assert client.post("/v1/kg/sparql", data={"update": "DROP ALL"}).status_code == 403
        assert client.get("/v1/kg/sparql").headers["content-type"].startswith("text/turtle")
    store.close()


def test_worker_pool_reuses_threads_and_never_queues_behind_a_busy_one():
    import threading

    from api.runner import WorkerPool

    pool = WorkerPool()
    done = threading.Event()
    for _ in range(50):  # one after another: one thread does them all
        finished = threading.Event()
        pool.submit(finished.set)
        assert finished.wait(5)
    assert pool.threads == 1
    release, started = threading.Event(), threading.Event()
    pool.submit(lambda: (started.set(), release.wait(5)))
    assert started.wait(5)
    pool.submit(lambda: 1 / 0)  # a failing job does not take its thread down
    pool.submit(done.set)       # the blocked job does not hold this one up
    assert done.wait(5)
    release.set()
    assert pool.threads in (2, 3)  # 3 when the failing job had not finished yet


def test_worker_pool_threads_have_the_big_stack():
    import threading

    from api.runner import QUERY_STACK, WorkerPool

    pool, seen = WorkerPool(), {}
    finished = threading.Event()

    def deep(n: int) -> int:
        return 0 if n == 0 else 1 + deep(n - 1)

    def job():
        import sys

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(200_000)
        try:
            seen["depth"] = deep(100_000)  # far past what an 8 MB stack holds
        finally:
            sys.setrecursionlimit(limit)
            finished.set()

    pool.submit(job)
    assert finished.wait(30) and seen["depth"] == 100_000
    assert QUERY_STACK >= 64 * 2**20
