"""A SPARQL 1.1 Protocol endpoint as one APIRouter, mountable in any FastAPI app.

    app.include_router(sparql_router(store))                 # /sparql
    app.include_router(sparql_router(runner, token="s3cr3t", path="/kg/sparql"))

Requests: ``GET /sparql?query=``; ``POST`` form-encoded (``query=`` or ``update=``);
``POST`` with ``Content-Type: application/sparql-query`` or ``application/sparql-update``
(the operation is the body). ``default-graph-uri`` / ``named-graph-uri`` (repeatable) set
the dataset. ``GET /sparql`` without a query returns the service description (Turtle).

Answers by content negotiation (q-values and combined Accept headers honoured):
SELECT/ASK as SPARQL JSON (default), SPARQL XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle
(default), N-Triples, N-Quads, JSON-LD or RDF/XML. Nothing acceptable: 406.

Errors (JSON ``{"detail": message}``): 400 malformed query (the parser's message), 401/403
updates (403 when no token is configured, 401 without ``Authorization: Bearer <token>``),
406, 415 unknown request content type, 503 no free query slot, 504 past the time limit.

Row cap: at most ``row_limit`` rows (SELECT) or triples (CONSTRUCT/DESCRIBE) are returned.
Every answer carries ``X-Row-Limit: <n>`` and ``X-Result-Truncated: true|false``; when
true, more rows matched than were sent (the answer is the first ``row_limit``; use
LIMIT/OFFSET to page).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from api.auth import require_token
from api.negotiation import GRAPH_ALIASES, GRAPH_TYPES, RESULT_ALIASES, RESULT_TYPES, negotiate
from api.runner import Runner
from kg.store import RawResult, Store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_FORMAT_IRIS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                "SPARQL_Results_TSV", "Turtle", "N-Triples", "N-Quads", "JSON-LD", "RDF_XML"]

# The responses every query route can give, for the OpenAPI description.
QUERY_RESPONSES: dict = {
    200: {"description": "The answer: SELECT/ASK results or CONSTRUCT/DESCRIBE triples, in the "
                         "negotiated format. Headers X-Row-Limit and X-Result-Truncated tell "
                         "whether the row cap cut it.",
          "content": {t: {} for t in RESULT_TYPES + GRAPH_TYPES}},
    400: {"description": "Malformed query or bad parameter (the parser's message)."},
    406: {"description": "None of the formats in the Accept header can be produced."},
    503: {"description": "No query slot free within the time limit (server busy)."},
    504: {"description": "The query ran past the time limit."},
}
_PROLOGUE = re.compile(r"\s*(?:#[^\n]*|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>|VERSION\s*\S+)",
                       re.IGNORECASE)
_FORM = re.compile(r"\s*(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)


def query_form(query: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK (upper case), or None if it cannot be told."""
    pos = 0
    while (match := _PROLOGUE.match(query, pos)) and match.end() > pos:
        pos = match.end()
    match = _FORM.match(query, pos)
    return match.group(1).upper() if match else None


def choose_format(query: str, accept: str | None) -> str:
    """The media type to answer ``query`` in, or HTTP 406."""
    graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
    offers, aliases = (GRAPH_TYPES, GRAPH_ALIASES) if graph else (RESULT_TYPES, RESULT_ALIASES)
    media = negotiate(accept, offers, aliases)
    if media is None:
        raise HTTPException(406, f"cannot answer in any of: {accept}. This query can be answered "
                                 f"as: {', '.join(offers)}")
    return media


def result_response(result: RawResult, row_limit: int) -> Response:
    return Response(result.body, media_type=result.content_type, headers={
        "Vary": "Accept", "X-Row-Limit": str(row_limit),
        "X-Result-Truncated": "true" if result.truncated else "false"})


async def run_query(runner: Runner, request: Request, query: str, default_graphs=None,
                    named_graphs=None) -> Response:
    """Negotiate, run under the limits, and answer."""
    media = choose_format(query, request.headers.get("accept"))
    result = await runner.query(query, media, default_graphs or None, named_graphs or None)
    return result_response(result, runner.row_limit)


def sparql_router(store: Store | Runner, *, token: str | None = None, path: str = "/sparql",
                  query_timeout: float = 30.0, row_limit: int = 10000) -> APIRouter:
    """The SPARQL 1.1 Protocol routes over ``store`` (or a Runner that carries the limits)."""
    runner = store if isinstance(store, Runner) else Runner(store, query_timeout, row_limit)
    router = APIRouter(tags=["SPARQL"])

    async def answer(request: Request, query: str | None, update: str | None,
                     default_graphs: list[str], named_graphs: list[str],
                     using: list[str] | None = None) -> Response:
        if (query is None) == (update is None):
            raise HTTPException(400, "give exactly one of the parameters 'query' or 'update'")
        if update is not None:
            require_token(request, token, "SPARQL UPDATE")
            if using:
                raise HTTPException(400, "using-graph-uri / using-named-graph-uri are not supported")
            await runner.call(runner.store.update, update)
            return Response(status_code=204)
        return await run_query(runner, request, query, default_graphs, named_graphs)

    @router.get(path, summary="SPARQL query (GET) or service description",
                responses={**QUERY_RESPONSES, 200: {
                    **QUERY_RESPONSES[200],
                    "description": QUERY_RESPONSES[200]["description"] + " Without a query: "
                    "the SPARQL service description (Turtle unless another RDF format is asked for)."}})
    async def sparql_get(
        request: Request,
        query: str | None = Query(None, description="A SPARQL 1.1 query. Without it: the service description."),
        default_graph_uri: list[str] = Query([], alias="default-graph-uri",
                                             description="IRI of a graph to use as the default graph (repeatable)."),
        named_graph_uri: list[str] = Query([], alias="named-graph-uri",
                                           description="IRI of a graph to make available to GRAPH (repeatable)."),
    ) -> Response:
        if query is None:
            return await service_description(request)
        return await answer(request, query, None, default_graph_uri, named_graph_uri)

    @router.post(path, summary="SPARQL query or update (POST)",
                 responses={**QUERY_RESPONSES,
                            204: {"description": "The update was applied."},
                            401: {"description": "Update without a valid bearer token."},
                            403: {"description": "Updates are disabled (no token configured)."},
                            413: {"description": "Request body too large."},
                            415: {"description": "Unsupported request content type."}},
                 openapi_extra={"requestBody": {"required": True, "content": {
                     "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                         "query": {"type": "string"}, "update": {"type": "string"},
                         "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                         "named-graph-uri": {"type": "array", "items": {"type": "string"}}}}},
                     "application/sparql-query": {"schema": {"type": "string"}},
                     "application/sparql-update": {"schema": {"type": "string"}}}}})
    async def sparql_post(request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            body = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(400, "the request body is not UTF-8") from None
        url = parse_qs(request.url.query, keep_blank_values=True)
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
            for key in ("query", "update"):
                if len(form.get(key, [])) > 1:
                    raise HTTPException(400, f"more than one '{key}' parameter")
            params = {**url, **form}
            return await answer(request, _one(form, "query"), _one(form, "update"),
                                params.get("default-graph-uri", []), params.get("named-graph-uri", []),
                                params.get("using-graph-uri", []) + params.get("using-named-graph-uri", []))
        if ctype == "application/sparql-query":
            return await answer(request, body, None, url.get("default-graph-uri", []),
                                url.get("named-graph-uri", []))
        if ctype == "application/sparql-update":
            return await answer(request, None, body, [], [],
                                url.get("using-graph-uri", []) + url.get("using-named-graph-uri", []))
        raise HTTPException(415, f"unsupported content type {ctype or '(none)'}: use "
                                 "application/x-www-form-urlencoded, application/sparql-query or "
                                 "application/sparql-update")

    async def service_description(request: Request) -> Response:
        graphs = await runner.call(runner.store.graphs)
        media = negotiate(request.headers.get("accept"), GRAPH_TYPES, GRAPH_ALIASES) or "text/turtle"
        body = describe_service(str(request.url).split("?")[0], graphs, updates=bool(token))
        rdflib_format = {"text/turtle": "turtle", "application/n-triples": "nt",
                         "application/n-quads": "nquads", "application/ld+json": "json-ld",
                         "application/rdf+xml": "xml"}[media]
        return Response(body.serialize(format=rdflib_format, encoding="utf-8"), media_type=media,
                        headers={"Vary": "Accept"})

    return router


def describe_service(endpoint: str, graphs: list[str], updates: bool) -> Graph:
    """A SPARQL 1.1 Service Description of this endpoint."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    service, dataset, default = BNode(), BNode(), BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, DCTERMS.title, Literal("policy-kg SPARQL endpoint")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if updates:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for name in _FORMAT_IRIS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for iri in graphs:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
    return g


def _one(form: dict[str, list[str]], key: str) -> str | None:
    values = form.get(key)
    return values[0] if values else None
