"""A SPARQL 1.1 Protocol endpoint as one APIRouter, mountable in any FastAPI app.

    app.include_router(sparql_router(store))                 # /sparql
    app.include_router(sparql_router(runner, token="s3cr3t", path="/kg/sparql"))

Requests: ``GET /sparql?query=``; ``POST`` form-encoded (``query=`` or ``update=``);
``POST`` with ``Content-Type: application/sparql-query`` or ``application/sparql-update``
(the operation is the body). ``default-graph-uri`` / ``named-graph-uri`` (repeatable) set
the dataset. ``GET /sparql`` without a query returns the service description (Turtle, or
another RDF format by Accept; it declares the prefixes as SHACL ``sh:declare``), or the SPARQL
editor's HTML when the client prefers ``text/html`` (a browser).

Answers by content negotiation (q-values and combined Accept headers honoured):
SELECT/ASK as SPARQL JSON (default), SPARQL XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle
(default), N-Triples, N-Quads, JSON-LD or RDF/XML. Nothing acceptable: 406.

Errors (JSON ``{"detail": message}``): 400 malformed query (the parser's message), 401/403
updates (403 when no token is configured, 401 without ``Authorization: Bearer <token>``),
406, 415 unknown request content type, 503 no free query slot, 504 past the time limit.
An ``update`` parameter in the URL (GET, or POST beside the body) is an update attempt too:
checked for the token, then refused with 400 (updates go in the POST body only).

Size: a query may have at most MAX_QUERY_CHARS characters (413, 414 in a GET), an update
MAX_UPDATE_CHARS (413), and neither may nest brackets deeper than MAX_NESTING (400): the
engine is recursive, and past such sizes it could overflow its stack and kill the server.

No calls to other hosts (400): the engine would send a query's ``SERVICE`` request, and fetch
an update's ``LOAD`` IRI, from any host and port the client names (server-side request
forgery). api.outbound decides from the operation's tokens as the engine reads them (and
rdflib's parse as a second opinion): ``SERVICE``/``LOAD`` in a string, comment, IRI or
variable (``?service``, ``"public service"``, ``# services``) are fine. The check runs only
when the word appears, after the size and nesting limits.

Row cap: at most ``row_limit`` rows (SELECT) or triples (CONSTRUCT/DESCRIBE) are returned.
Every answer carries ``X-Row-Limit: <n>`` and ``X-Result-Truncated: true|false``; when
true, more rows matched than were sent (the answer is the first ``row_limit``; use
LIMIT/OFFSET to page).
"""
from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request, Response, Security
from fastapi.responses import HTMLResponse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from api.auth import BEARER, require_token
from api.editor import editor_page, named_query_list
from api.negotiation import GRAPH_ALIASES, GRAPH_TYPES, RESULT_ALIASES, RESULT_TYPES, negotiate
from api.outbound import mentions, remote_call_refusal
from api.prefixes import with_prefixes
from api.runner import Runner
from kg.store import EmbeddedStore, RawResult, Store
from kg.graph.vocab import PREFIXES
from kg.graph.vocabulary import ONTOLOGY, VOCABULARY_GRAPH

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
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
_BRACKETS = re.compile(r"[^(){}\[\]]+")
# The engine parses and evaluates recursively: past these sizes a query could exhaust even the
# large stack of the query threads (api.runner.QUERY_STACK) and kill the process.
MAX_QUERY_CHARS = 100_000
MAX_UPDATE_CHARS = 100_000  # bulk data goes through POST /reports or `kg ingest`
MAX_NESTING = 500


def check_size(text: str, what: str, limit: int, status: int = 413) -> None:
    """HTTP ``status`` when ``text`` is longer than ``limit`` characters or nests brackets
    deeper than MAX_NESTING (counted everywhere, strings and comments included)."""
    if len(text) > limit:
        raise HTTPException(status, f"{what} too long: {len(text)} characters, at most {limit}")
    depth = deepest = 0
    for char in _BRACKETS.sub("", text):
        depth += 1 if char in "({[" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise HTTPException(400, f"{what} nests brackets {deepest} deep, at most {MAX_NESTING}")


async def refuse_remote_calls(text: str, kind: str) -> None:
    """400 for a query with SERVICE or an update with LOAD or SERVICE (api.outbound decides from
    the tokens, off the event loop; text without the word is not looked at again)."""
    if mentions(text, kind):
        reason = await asyncio.to_thread(remote_call_refusal, text, kind)
        if reason:
            raise HTTPException(400, reason)


def query_form(query: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK (upper case), or None if it cannot be told."""
    pos = 0
    while (match := _PROLOGUE.match(query, pos)) and match.end() > pos:
        pos = match.end()
    match = _FORM.match(query, pos)
    return match.group(1).upper() if match else None


def choose_format(query: str, accept: str | None) -> str:
    """The media type to answer ``query`` in, or HTTP 406."""
    return media_for(query_form(query), accept)


def media_for(form: str | None, accept: str | None) -> str:
    """The media type to answer a query of this form (:func:`query_form`) in, or HTTP 406."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    offers, aliases = (GRAPH_TYPES, GRAPH_ALIASES) if graph else (RESULT_TYPES, RESULT_ALIASES)
    media = negotiate(accept, offers, aliases)
    if media is None:
        raise HTTPException(406, f"cannot answer in any of: {accept}. This query can be answered "
                                 f"as: {', '.join(offers)}")
    return media


def result_response(result: RawResult, row_limit: int) -> Response:
    """The answer as sent: Turtle and JSON-LD with the project's prefixes (api.prefixes)."""
    result = with_prefixes(result)
    return Response(result.body, media_type=result.content_type, headers={
        "Vary": "Accept", "X-Row-Limit": str(row_limit),
        "X-Result-Truncated": "true" if result.truncated else "false"})


async def run_query(runner: Runner, request: Request, query: str, default_graphs=None,
                    named_graphs=None, user: bool = False) -> Response:
    """Negotiate, run under the limits, and answer (``user``: client-written, see Runner.call)."""
    media = choose_format(query, request.headers.get("accept"))
    result = await runner.query(query, media, default_graphs or None, named_graphs or None, user=user)
    return result_response(result, runner.row_limit)


def sparql_router(store: Store | Runner, *, token: str | None = None, path: str = "/sparql",
                  query_timeout: float = 30.0, row_limit: int = 10000,
                  queries_dir: Path | None = None) -> APIRouter:
    """The SPARQL 1.1 Protocol routes over ``store`` (or a Runner that carries the limits);
    ``queries_dir``: the named queries the editor lists (a browser's GET without a query)."""
    runner = store if isinstance(store, Runner) else Runner(store, query_timeout, row_limit)
    router = APIRouter(tags=["SPARQL"])
    editor_html, editor_policy = editor_page(named_query_list(queries_dir))

    async def answer(request: Request, query: str | None, update: str | None,
                     default_graphs: list[str], named_graphs: list[str],
                     using: list[str] | None = None) -> Response:
        if (query is None) == (update is None):
            raise HTTPException(400, "give exactly one of the parameters 'query' or 'update'")
        if update is not None:
            require_token(request, token, "SPARQL UPDATE")
            if using:
                raise HTTPException(400, "using-graph-uri / using-named-graph-uri are not supported")
            check_size(update, "the update", MAX_UPDATE_CHARS)
            await refuse_remote_calls(update, "update")
            await runner.call(runner.store.update, update, user=True)
            return Response(status_code=204)
        check_size(query, "the query", MAX_QUERY_CHARS, 414 if request.method == "GET" else 413)
        await refuse_remote_calls(query, "query")
        return await run_query(runner, request, query, default_graphs, named_graphs, user=True)

    def refuse_update_in_url(request: Request) -> None:
        """An ``update`` in the URL is an update attempt: 403/401 without the token, else 400."""
        if "update" in request.query_params:
            require_token(request, token, "SPARQL UPDATE")
            raise HTTPException(400, "send a SPARQL UPDATE with POST, in the body (form field 'update' "
                                     "or Content-Type application/sparql-update), not in the URL")

    @router.get(path, summary="SPARQL query (GET) or service description",
                responses={**QUERY_RESPONSES, 200: {
                    **QUERY_RESPONSES[200],
                    "description": QUERY_RESPONSES[200]["description"] + " Without a query: "
                    "the SPARQL service description (Turtle unless another RDF format is asked for), or for a "
                    "browser (Accept: text/html first) the SPARQL editor.",
                    "content": {**QUERY_RESPONSES[200]["content"], "text/html": {}}},
                    414: {"description": "The query is longer than the endpoint takes."}})
    async def sparql_get(
        request: Request,
        query: str | None = Query(None, description="A SPARQL 1.1 query. Without it: the service description."),
        default_graph_uri: list[str] = Query([], alias="default-graph-uri",
                                             description="IRI of a graph to use as the default graph (repeatable)."),
        named_graph_uri: list[str] = Query([], alias="named-graph-uri",
                                           description="IRI of a graph to make available to GRAPH (repeatable)."),
    ) -> Response:
        refuse_update_in_url(request)
        if query is None:
            if negotiate(request.headers.get("accept"), GRAPH_TYPES + ["text/html"], GRAPH_ALIASES) == "text/html":
                return HTMLResponse(editor_html, headers={"Vary": "Accept", "Content-Security-Policy": editor_policy})
            return await service_description(request)
        return await answer(request, query, None, default_graph_uri, named_graph_uri)

    @router.post(path, summary="SPARQL query or update (POST)", dependencies=[Security(BEARER)],
                 responses={**QUERY_RESPONSES,
                            204: {"description": "The update was applied."},
                            401: {"description": "Update without a valid bearer token."},
                            403: {"description": "Updates are disabled (no token configured)."},
                            413: {"description": "Request body too large, or a query/update longer "
                                                  "than the endpoint takes."},
                            415: {"description": "Unsupported request content type."}},
                 openapi_extra={"security": [{}],  # the token is optional: updates only
                                "requestBody": {"required": True, "content": {
                     "application/x-www-form-urlencoded": {"schema": {
                         "type": "object", "properties": {
                             "query": {"type": "string"}, "update": {"type": "string"},
                             "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                             "named-graph-uri": {"type": "array", "items": {"type": "string"}}},
                         # exactly one of the two (both present match both branches: invalid)
                         "oneOf": [{"required": ["query"]}, {"required": ["update"]}]}},
                     "application/sparql-query": {"schema": {"type": "string"}},
                     "application/sparql-update": {"schema": {"type": "string"}}}}})
    async def sparql_post(request: Request) -> Response:
        refuse_update_in_url(request)
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
        graphs = await runner.graphs()
        media = negotiate(request.headers.get("accept"), GRAPH_TYPES, GRAPH_ALIASES) or "text/turtle"
        body = describe_service(str(request.url).split("?")[0], graphs, updates=bool(token),
                                union_default=isinstance(runner.store, EmbeddedStore))
        rdflib_format = {"text/turtle": "turtle", "application/n-triples": "nt",
                         "application/n-quads": "nquads", "application/ld+json": "json-ld",
                         "application/rdf+xml": "xml"}[media]
        return Response(body.serialize(format=rdflib_format, encoding="utf-8"), media_type=media,
                        headers={"Vary": "Accept"})

    return router


def describe_service(endpoint: str, graphs: list[str], updates: bool, union_default: bool = True) -> Graph:
    """A SPARQL 1.1 Service Description of this endpoint (``union_default``: the default graph
    is the union of the named graphs, ``sd:UnionDefaultGraph``, as on the embedded store)."""
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
    if union_default:
        g.add((service, SD.feature, SD.UnionDefaultGraph))
    # The prefixes, as SHACL prefix declarations (what SPARQL editors read from an endpoint's
    # description, e.g. the SIB sparql-examples convention), and the vocabulary used.
    g.bind("sh", SH)
    g.bind("void", VOID)
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    for prefix, namespace in PREFIXES.items():
        declaration = BNode()
        g.add((service, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(prefix)))
        g.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY)))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for iri in graphs:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        if iri == VOCABULARY_GRAPH:
            g.add((named, DCTERMS.title, Literal("the ontology and the SKOS concept schemes (ontology/*.ttl)")))
    return g


def _one(form: dict[str, list[str]], key: str) -> str | None:
    values = form.get(key)
    return values[0] if values else None
