"""The researchers' API: SPARQL endpoint, named queries, JSON lookups and pages.

Run it with ``uvicorn --factory api.app:app_from_env`` (settings from the environment),
or build it in code with :func:`create_app`.

Settings (an explicit argument to ``create_app`` wins over the environment variable):

======================== ================= ==============================================
environment variable     argument          meaning (default)
======================== ================= ==============================================
POLICY_KG_STORE          ``store``         store folder (embedded) or SPARQL endpoint URL
                                           (required; ``./data`` in app_from_env)
POLICY_KG_TOKEN          ``token``         bearer token that enables SPARQL UPDATE and
                                           POST /reports (unset: writes answer 403)
POLICY_KG_QUERY_TIMEOUT  ``query_timeout`` seconds a query may run before 504 (30)
POLICY_KG_ROW_LIMIT      ``row_limit``     most rows/triples per answer; past it the answer
                                           is cut and ``X-Result-Truncated: true`` (10000)
POLICY_KG_CORS_ORIGINS   ``cors_origins``  comma-separated origins allowed by CORS, ``*``
                                           for any (none: no CORS headers)
POLICY_KG_MAX_BODY       ``max_body``      largest request body in bytes, else 413 (10 MB)
POLICY_KG_QUERIES        ``queries_dir``   folder of the named queries (``queries/``)
POLICY_KG_QUERY_MEMORY   ``query_memory``  megabytes one query (or export) may allocate in
                                           its worker process, else 503 (2048; 0: no limit)
POLICY_KG_WORKERS        ``workers``       query worker processes for lookups, pages and named
                                           queries (8); client SPARQL gets half as many more
POLICY_KG_EXPORT_TIMEOUT ``export_timeout`` seconds an export may run before 504 (600)
POLICY_KG_MAX_EXPORTS    ``max_exports``   exports running at once, else 503 (2)
======================== ================= ==============================================

Every answer carries ``X-Content-Type-Options: nosniff``; HTML pages also a
Content-Security-Policy (no inline script but by hash, no framing) and ``X-Frame-Options: DENY``
(api.security).

A store the app opens for writing (a token, or an endpoint URL) gets the ontology and the SKOS
schemes in their named graph (kg.graph.vocabulary; replaced only when the files changed); a read-only
one keeps what ``kg ingest`` put there, and the vocabulary's pages are answered from the files.

An embedded store named by a path is read through its published snapshots when no token is
configured (the API cannot write then, and an ingest may write the store meanwhile: the API
sees each snapshot it publishes) and opened read-write otherwise; it is closed on shutdown. A Store
object passed in is used as is and left open. Reads of an embedded store run in worker
processes that are killed at the time limit (see ``api.runner``); a read-write store publishes
a snapshot after each write for them (``kg.snapshots``).
"""
from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.docs import add_docs
from api.export import export_router
from api.limits import BodySizeLimit
from api.lookups import lookups_router
from api.named import NamedQueryShortcut, named_router
from api.pages import pages_router
from api.progress import progress_router
from api.reports import reports_router
from api.runner import Runner
from api.security import SecurityHeaders
from api.sparql import sparql_router
from kg.queries import named_queries
from kg.store import Store, StoreError, open_snapshots, open_store
from kg.graph.vocabulary import load_vocabulary

DEFAULT_MAX_BODY = 10 * 1024 * 1024


def create_app(store: Store | str | None = None, *, token: str | None = None,
               query_timeout: float | None = None, row_limit: int | None = None,
               cors_origins: list[str] | None = None, queries_dir: Path | None = None,
               max_body: int | None = None, query_memory: int | None = None,
               workers: int | None = None, export_timeout: float | None = None,
               max_exports: int | None = None) -> FastAPI:
    """The API over ``store`` (a Store, or a folder/URL for ``open_store``)."""
    env = os.environ
    token = (token if token is not None else env.get("POLICY_KG_TOKEN")) or None  # "" turns writes off
    query_timeout = query_timeout if query_timeout is not None else float(env.get("POLICY_KG_QUERY_TIMEOUT", 30.0))
    row_limit = row_limit if row_limit is not None else int(env.get("POLICY_KG_ROW_LIMIT", 10000))
    max_body = max_body if max_body is not None else int(env.get("POLICY_KG_MAX_BODY", DEFAULT_MAX_BODY))
    query_memory = query_memory if query_memory is not None else int(env.get("POLICY_KG_QUERY_MEMORY", 2048))
    workers = workers if workers is not None else int(env.get("POLICY_KG_WORKERS", 8))
    export_timeout = (export_timeout if export_timeout is not None
                      else float(env.get("POLICY_KG_EXPORT_TIMEOUT", 600.0)))
    max_exports = max_exports if max_exports is not None else int(env.get("POLICY_KG_MAX_EXPORTS", 2))
    if cors_origins is None:
        cors_origins = [o.strip() for o in env.get("POLICY_KG_CORS_ORIGINS", "").split(",") if o.strip()]
    if queries_dir is None and env.get("POLICY_KG_QUERIES"):
        queries_dir = Path(env["POLICY_KG_QUERIES"])
    if store is None:
        store = env.get("POLICY_KG_STORE")
        if not store:
            raise ValueError("no store: pass one to create_app or set POLICY_KG_STORE")
    owned = not isinstance(store, Store)
    if owned:
        text = str(store)
        if token or text.startswith(("http://", "https://")):
            store = open_store(text)
            load_vocabulary_or_say(store)
        else:  # read-only: published snapshots, so that an ingest may write meanwhile
            store = open_snapshots(text)

    runner = Runner(store, query_timeout, row_limit, max_workers=max(1, workers), memory_mb=query_memory,
                    export_timeout=export_timeout, max_exports=max_exports)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.close()
        if owned:
            store.close()

    app = FastAPI(
        title="policy-kg API", version="0.1.0", lifespan=lifespan,
        docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,  # add_docs: under a CSP
        description="A knowledge graph of Chinese government reports: a SPARQL 1.1 endpoint "
                    "(`/sparql`), named queries (`/queries`), JSON lookups, and dereferenceable "
                    "IRIs (`/id/...`). Query answers are content-negotiated (Accept header). "
                    f"Queries run at most {query_timeout:g} s and return at most {row_limit} rows "
                    "(header `X-Result-Truncated: true` when cut).")
    app.state.runner = runner
    app.state.token = token
    app.include_router(sparql_router(runner, token=token, queries_dir=queries_dir))
    named = named_queries(queries_dir)
    app.include_router(named_router(runner, queries=named))
    app.include_router(progress_router(runner, queries_dir))
    app.include_router(lookups_router(runner))
    app.include_router(pages_router(runner, queries_dir))
    app.include_router(reports_router(runner, token))
    app.include_router(export_router())
    add_docs(app)
    app.add_exception_handler(StarletteHTTPException, allow_all_methods)
    app.add_middleware(NamedQueryShortcut, runner=runner, queries=named)  # innermost: the others wrap it
    app.add_middleware(BodySizeLimit, max_bytes=max_body)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "Accept"],
                           expose_headers=["X-Result-Truncated", "X-Row-Limit"])
    app.add_middleware(SecurityHeaders)  # outermost: also on 413s and CORS answers
    return app


def load_vocabulary_or_say(store: Store) -> None:
    """Load the ontology and the schemes into their graph (kg.graph.vocabulary); when the store
    refuses, say so in one line: the API still answers for the vocabulary from its files."""
    try:
        load_vocabulary(store)
    except (StoreError, ValueError) as err:
        logging.getLogger("policy-kg").warning("vocabulary not loaded into the store: %s", err)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


async def allow_all_methods(request: Request, exc: StarletteHTTPException):
    """FastAPI's error answer, except that a 405 lists in ``Allow`` the methods of every route
    on the path (Starlette names only those of the first route, e.g. GET but not POST /sparql)."""
    if exc.status_code == 405:
        routes = request.app.router.routes
        methods = [method for method in _METHODS
                   if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)]
        if methods:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
    return await http_exception_handler(request, exc)


def app_from_env() -> FastAPI:
    """The app configured only by the environment (POLICY_KG_STORE defaults to ./data)."""
    return create_app(os.environ.get("POLICY_KG_STORE") or "data")
