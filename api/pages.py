"""Pages for people: every IRI of policy-kg dereferences, and the SPARQL editor (``/``).

``GET /id/{path}`` answers for ``https://w3id.org/policy-kg/id/{path}`` (minted nodes, and the
report graphs ``id:graph/<report>``); ``GET /ontology`` for the ontology and its terms
(``pkg:Report`` is ``/ontology#Report``), ``GET /scheme/{scheme}/{code}`` for the SKOS concepts
and ``GET /graph/vocabulary`` for the vocabulary's graph (kg.graph.vocabulary). Each answers an HTML page
(label, types, properties with links, incoming links) for browsers, or the triples as Turtle
(with ``@prefix`` lines), JSON-LD (compacted, with an ``@context``), N-Triples, N-Quads or
RDF/XML by Accept; 404 if the IRI is unknown. A named graph's IRI answers with the graph's
triples (capped at the row limit) and, in HTML, a summary of it. The vocabulary's IRIs are
answered from its files (parsed once), so they work on a store that does not hold them.

An agency, document, initiative or region page opens with pictures (api.entity: a summary in
words, the neighbourhood as an SVG network, a document's reach, a body's targets and results,
the facts with their evidence) before its tables. On a node stated in thousands of report graphs
a page reads a bounded sample (the first GRAPHS_READ quads for "stated in", INCOMING_READ
incoming links) and says so.

Pages are labelled in one language: ``?lang=en`` or the Accept-Language header (Chinese
by default). Facts without a label of their own (targets, metrics, actions, mentions,
sentences) are titled with their indicator, their action and document, or their text; the
evidence sentence is shown by its text, linked to its page.

Only http(s) IRIs and the server's own become links (api.security.safe_href); the pages carry a
Content-Security-Policy that allows their own inline blocks by hash and nothing else.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Awaitable, Callable

import pyoxigraph
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode
from rdflib import RDFS, URIRef

from api.editor import editor_page, named_query_list
from api.entity import PAGE_CSS as ENTITY_CSS
from api.entity import entity_sections, few_labels
from api.lookups import PROLOGUE, curie, labels_of, language, table, values, vocabulary_label
from api.negotiation import GRAPH_ALIASES, GRAPH_TYPES, negotiate
from api.progress import progress_section
from api.runner import Runner
from api.security import policy, safe_href
from api.svg import favicon_png
from api.sparql import result_response
from kg.store import GRAPH_MEDIA_TYPES, RawResult
from kg.graph.vocab import BASE, ID, PKG
from kg.graph.vocabulary import (LANGUAGES, ONTOLOGY, VOCABULARY_GRAPH, construct_vocabulary, is_vocabulary_iri,
                           select_vocabulary)

PAGE_STYLE = """body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em}
table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.3em .6em;vertical-align:top}
code{background:#f4f4f4}.lang,.g{color:#888;font-size:85%}
""" + ENTITY_CSS
PAGE_POLICY = policy(styles=[PAGE_STYLE])  # the IRI pages run no script at all
_PATH = re.compile(r"[^\s<>\"{}|\\^`]{1,500}")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NIF_ANCHOR = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
TITLE_MAX = 80
Select = Callable[[str], Awaitable[list[dict[str, str]]]]


def valid_iri(iri: str) -> bool:
    """Whether ``iri`` is an absolute IRI (RFC 3987) that a SPARQL engine accepts."""
    try:
        NamedNode(iri)
    except ValueError:
        return False
    return True


def is_graph_iri(iri: str) -> bool:
    """A report's named graph (``id:graph/<report>``) or the vocabulary's."""
    return iri.startswith(str(ID) + "graph/") or iri == VOCABULARY_GRAPH


def own_href(target: str, base: str) -> str | None:
    """The link for an IRI on a page: this server's path for policy-kg IRIs (``/id/…``,
    ``/ontology#…``, ``/scheme/…``), the IRI for other http(s) IRIs, else None (text)."""
    if target.startswith(BASE):
        return base + "/" + target[len(BASE):]
    return safe_href(target, base, str(ID))


async def select_vocab(query: str) -> list[dict[str, str]]:
    data = select_vocabulary(PROLOGUE + query)
    return [{k: v["value"] for k, v in b.items()} for b in data.get("results", {}).get("bindings", [])]


def vocabulary_answer(query: str, media: str) -> RawResult:
    """A CONSTRUCT over the vocabulary's files, as ``media`` (N-Quads: as N-Triples, which it
    extends)."""
    fmt = "N_TRIPLES" if media == "application/n-quads" else GRAPH_MEDIA_TYPES[media]
    return RawResult(media, construct_vocabulary(query, getattr(pyoxigraph.RdfFormat, fmt)))


def pages_router(runner: Runner, queries_dir: Path | None = None) -> APIRouter:
    router = APIRouter(tags=["pages"])
    editor_html, editor_policy = editor_page(named_query_list(queries_dir))

    async def select_store(query: str) -> list[dict[str, str]]:
        return await table(runner, query)

    @router.get("/", response_class=HTMLResponse, summary="SPARQL editor and links",
                responses={200: {"description": "An HTML page with a SPARQL editor preloaded with the "
                                                "named queries and the prefixes, and links to the lookups. "
                                                "`?query=` loads a query into the editor and runs it."}})
    async def home() -> HTMLResponse:
        return HTMLResponse(editor_html, headers={"Content-Security-Policy": editor_policy})

    icon = favicon_png()

    @router.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(icon, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})

    async def dereference(request: Request, iri: str, lang: str) -> Response:
        media = negotiate(request.headers.get("accept"), ["text/html"] + GRAPH_TYPES, GRAPH_ALIASES)
        if media is None:
            raise HTTPException(406, f"can answer as: text/html, {', '.join(GRAPH_TYPES)}")
        node = URIRef(iri)
        vocabulary = is_vocabulary_iri(iri) and iri != VOCABULARY_GRAPH
        if is_graph_iri(iri):
            known = iri == VOCABULARY_GRAPH or iri in await runner.graphs()
            triples = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node.n3()} {{ ?s ?p ?o }} }}"
        elif iri == ONTOLOGY:  # the ontology document: every term, the schemes and their concepts
            known = True
            triples = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            ask = f"SELECT ?s WHERE {{ {values(s=node)} GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1"
            known = bool(await (select_vocab if vocabulary else select_store)(ask))
            if vocabulary and not known and bool(await select_store(ask)):
                known, vocabulary = True, False  # a concept minted from the text (an indicator): in the store
            triples = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values(s=node)} GRAPH ?g {{ ?s ?p ?o }} }}"
        if not known:
            raise HTTPException(404, f"nothing is known about <{iri}>")
        headers = {"Vary": "Accept, Accept-Language", "Content-Language": lang}
        if media != "text/html":
            if vocabulary or iri == VOCABULARY_GRAPH and VOCABULARY_GRAPH not in await runner.graphs():
                response = result_response(vocabulary_answer(triples, media), runner.row_limit)
            else:
                response = result_response(await runner.query(triples, media), runner.row_limit)
            response.headers["Vary"] = "Accept"
            return response
        own = select_vocab if vocabulary else select_store
        commitments = "" if vocabulary else await progress_section(runner, node)  # api.progress: an agency's
        html = await render(request, own, select_store, node, lang, commitments)  # commitments and outcomes
        return HTMLResponse(html, headers={**headers, "Content-Security-Policy": PAGE_POLICY})

    pages = {200: {"description": "The node: HTML for browsers, else its triples in the negotiated RDF "
                                  "format (a named graph: the graph's triples).",
                   "content": {t: {} for t in ["text/html"] + GRAPH_TYPES}},
             404: {"description": "The IRI is unknown."}, 406: {"description": "No acceptable format."}}

    @router.get("/id/{path:path}", name="resource_page", summary="Dereference a policy-kg IRI",
                response_class=Response, responses=pages)
    async def resource(request: Request, path: str, lang: str = Depends(language)) -> Response:
        if not _PATH.fullmatch(path) or not valid_iri(str(ID) + path):
            raise HTTPException(404, "not a policy-kg IRI")
        return await dereference(request, str(ID) + path, lang)

    @router.get("/ontology", summary="The ontology (its terms are /ontology#Term)", response_class=Response,
                responses=pages)
    async def ontology(request: Request, lang: str = Depends(language)) -> Response:
        return await dereference(request, ONTOLOGY, lang)

    @router.get("/scheme/{path:path}", summary="A concept of the SKOS schemes (/scheme/level/law)",
                response_class=Response, responses=pages)
    async def concept(request: Request, path: str, lang: str = Depends(language)) -> Response:
        iri = BASE + "scheme/" + path
        if not _PATH.fullmatch(path) or not valid_iri(iri):
            raise HTTPException(404, "not a policy-kg IRI")
        return await dereference(request, iri, lang)

    @router.get("/graph/vocabulary", summary="The vocabulary's named graph", response_class=Response,
                responses=pages)
    async def vocabulary_graph_page(request: Request, lang: str = Depends(language)) -> Response:
        return await dereference(request, VOCABULARY_GRAPH, lang)

    return router


def _text(value: str, limit: int = TITLE_MAX) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


def page_title(iri: str, rows: list[dict[str, str]], lang: str) -> str:
    """What a page is titled with: the node's label in ``lang`` (else Chinese, else any); for
    facts without one, the indicator (targets, metrics), the action and its document (actions),
    or the text (mentions, sentences); else the IRI."""
    def values_of(prop: str) -> list[dict[str, str]]:
        return [r for r in rows if r["p"] == prop]

    labels = [r for r in rows if r["p"] in (str(RDFS.label), SKOS_PREF) and r.get("isiri") != "iri"]
    for wanted in (lang, LANGUAGES[0], None):
        found = [r["o"] for r in labels if wanted is None or (r.get("lang") or "").startswith(wanted)]
        if found:
            return _text(found[0])
    indicator = values_of(str(PKG.indicator))
    if indicator:
        return _text(indicator[0]["o"])
    action = values_of(str(PKG.actionType))
    if action:
        used = values_of("http://www.w3.org/ns/prov#used")
        what = action[0].get("olabel") or curie(action[0]["o"])
        return _text(what + (" " + (used[0].get("olabel") or curie(used[0]["o"])) if used else ""))
    anchor = values_of(NIF_ANCHOR)
    if anchor:
        return _text(anchor[0]["o"])
    return iri


async def render(request: Request, own: Select, store: Select, iri: URIRef, lang: str,
                 commitments: str = "") -> str:
    """The HTML page of ``iri``: its triples from ``own`` (the store, or the vocabulary's files),
    its incoming links from ``store``; IRIs labelled in ``lang``."""
    base = str(request.base_url).rstrip("/")
    # the node's distinct values, then the graphs stating them from the first GRAPHS_READ quads
    # (a node named in 10k reports has 10k copies of each: grouping them all took 0.6 s)
    out = await own(f"""SELECT ?p ?o (IF(isIRI(?o), "iri", "") AS ?isiri) (LANG(?o) AS ?lang) WHERE {{
        {{ SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {iri.n3()} ?p ?o }} }} }} }}""")
    stating = await own(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {iri.n3()} ?p ?o }} }} LIMIT {GRAPHS_READ}")
    graphs_of: dict[tuple[str, str], list[str]] = {}
    for row in stating:
        graphs_of.setdefault((row["p"], row["o"]), []).append(row["g"])
    partial = len(stating) >= GRAPHS_READ
    for row in out:
        row["graphs"] = graphs_of.get((row["p"], row["o"]), [])
        row["partial"] = partial
    out.sort(key=lambda r: (r["p"], r["o"]))
    # the first INCOMING_READ links found (a node named in 10k reports has millions), sorted here:
    # an ORDER BY in the query would make the engine read them all first
    read = await store(f"""SELECT ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {iri.n3()} }} }} LIMIT {INCOMING_READ}""")
    incoming = sorted({(r["p"], r["s"]) for r in read})  # DISTINCT here too: in the query, it reads all
    incoming_more = len(incoming) > INCOMING_SHOWN or len(read) >= INCOMING_READ
    incoming = [{"s": s, "p": p} for p, s in incoming[:INCOMING_SHOWN]]
    named = [r["o"] for r in out if r.get("isiri") == "iri"] + [r["s"] for r in incoming]
    # the values' labels read a few copies each (a region is labelled in every report naming it)
    labels = {**await labels_of(store, [r["s"] for r in incoming], lang),
              **await few_labels(store, [r["o"] for r in out if r.get("isiri") == "iri"], lang)}
    if own is not store:  # the vocabulary's own terms, from its files
        labels = {**await labels_of(own, [i for i in named if i not in labels], lang), **labels}
    graph_summary = await ontology_terms(lang) if str(iri) == ONTOLOGY else ""
    if is_graph_iri(str(iri)):
        graph_summary = await summarise_graph(own if str(iri) != VOCABULARY_GRAPH else select_vocab, iri, lang, base)
    for row in out:
        row["olabel"] = labels.get(row["o"], "")
    types = [r for r in out if r["p"] == RDF_TYPE]

    def anchor(target: str, text: str | None = None) -> str:
        """A link for http(s) IRIs and ours; any other IRI (javascript:, data: ...) as text."""
        href = own_href(target, base)
        shown = _text(text, 200) if text else curie(target)
        if href is None:
            return f'<span class="iri">{escape(shown)}</span>'
        return f'<a href="{escape(href)}">{escape(shown)}</a>'

    def cell(row: dict, key: str, label_key: str) -> str:
        if row.get("isiri", "iri") == "iri":
            return anchor(row[key], row.get(label_key))
        lang_tag = f' <span class="lang">@{escape(row["lang"])}</span>' if row.get("lang") else ""
        return escape(row[key]) + lang_tag

    props = "\n".join(f"<tr><td>{anchor(r['p'])}</td><td>{cell(r, 'o', 'olabel')}</td>"
                      f"<td class=\"g\">{stated_in(r['graphs'], anchor, r['partial'])}</td></tr>"
                      for r in out)
    links = "\n".join(f"<tr><td>{anchor(r['s'], labels.get(r['s']))}</td>"
                      f"<td>{anchor(r['p'])}</td></tr>" for r in incoming)
    type_list = ", ".join(anchor(r["o"], r.get("olabel")) for r in types) or "—"
    plain_title = graph_title(str(iri), lang) if is_graph_iri(str(iri)) else page_title(str(iri), out, lang)
    title = escape(plain_title)
    shown = "" if own is not store else await entity_sections(store, iri, [r["o"] for r in types], lang, base,
                                                               plain_title)
    return f"""<!doctype html>
<html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{title} · policy-kg</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{PAGE_STYLE}</style></head>
<body><p><a href="{escape(base)}/">policy-kg</a></p>
<h1>{title}</h1><p><code>{escape(str(iri))}</code></p>
<p>Types: {type_list}</p>
<p>Also as <code>text/turtle</code>, <code>application/ld+json</code>, <code>application/n-triples</code> (by Accept);
labels in <a href="{escape(str(request.url.include_query_params(lang='zh')))}">中文</a> ·
<a href="{escape(str(request.url.include_query_params(lang='en')))}">English</a>.</p>
{shown}{graph_summary}<h2>Properties</h2><table id="properties"><tr><th>property</th><th>value</th><th>stated in</th></tr>
{props}</table>
<h2>Incoming links</h2><table id="incoming"><tr><th>from</th><th>property</th></tr>
{links or '<tr><td colspan="2">none</td></tr>'}</table>
{'<p class="more">… and more (the first ' + str(INCOMING_SHOWN) + ' found are listed)</p>' if incoming_more else ''}
{commitments}
</body></html>"""


GRAPHS_READ = 3000  # quads of the node read to list the graphs stating each value
INCOMING_READ = 1000  # incoming links read for a page
INCOMING_SHOWN = 500  # and listed
STATED_IN_MAX = 20  # graphs named beside a property's value; a node cited by thousands says how many


def stated_in(graphs: list[str], anchor, partial: bool = False) -> str:
    """The report graphs a triple is stated in, linked (the first STATED_IN_MAX, then a count;
    ``partial``: the graphs were read up to a cap, so the count is a lower bound)."""
    graphs = sorted(set(graphs))
    shown = " ".join(anchor(g, g.rsplit("/", 1)[-1]) for g in graphs[:STATED_IN_MAX])
    more = len(graphs) - STATED_IN_MAX
    if partial and graphs:
        return shown + f" … and {max(more, 0)}+ more"
    return shown + (f" … and {more} more" if more > 0 else "")


def graph_title(iri: str, lang: str) -> str:
    if iri == VOCABULARY_GRAPH:
        return "Vocabulary: the ontology and the concept schemes" if lang == "en" else "词汇：本体与概念体系"
    return ("Graph of report " if lang == "en" else "报告图 ") + iri.rsplit("/", 1)[-1]


async def summarise_graph(select: Select, iri: URIRef, lang: str, base: str) -> str:
    """A named graph's page: how many triples, which reports, and its nodes counted by type."""
    size = await select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri.n3()} {{ ?s ?p ?o }} }}")
    kinds = await select(f"""SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{
        GRAPH {iri.n3()} {{ ?s a ?type }} }} GROUP BY ?type ORDER BY DESC(?n) ?type""")
    reports = await select(f"""SELECT ?r (SAMPLE(?l) AS ?label) WHERE {{
        GRAPH {iri.n3()} {{ ?r a pkg:Report OPTIONAL {{ ?r rdfs:label ?l }} }} }} GROUP BY ?r""")
    report_links = ", ".join(f'<a href="{escape(own_href(r["r"], base) or "")}">{escape(r.get("label") or r["r"])}</a>'
                             for r in reports if r["r"].startswith(str(ID)))
    rows = "\n".join(f'<tr><td>{escape(vocabulary_label(r["type"], lang) or curie(r["type"]))}'
                     f'</td><td>{escape(r["n"])}</td></tr>' for r in kinds)
    return (f'<h2>Named graph</h2><p id="graph-size">{escape(size[0]["n"] if size else "0")} triples'
            + (f"; the report: {report_links}" if report_links else "") + "</p>\n"
            f'<table id="graph-kinds"><tr><th>type</th><th>nodes</th></tr>\n{rows}</table>\n')


async def ontology_terms(lang: str) -> str:
    """The ontology page's list of its terms (classes, properties, schemes), each with an anchor
    (``/ontology#Report``), its type, label and comment in ``lang`` where there is one."""
    rows = await select_vocab(f"""
        SELECT ?s (SAMPLE(?type) AS ?t) (SAMPLE(?c1) AS ?comment) (SAMPLE(?c2) AS ?anyComment)
        WHERE {{ GRAPH ?g {{ ?s a ?type }} FILTER(STRSTARTS(STR(?s), "{ONTOLOGY}#"))
          OPTIONAL {{ GRAPH ?g1 {{ ?s rdfs:comment|skos:definition ?c1 }} FILTER(LANGMATCHES(LANG(?c1), "{lang}")) }}
          OPTIONAL {{ GRAPH ?g2 {{ ?s rdfs:comment|skos:definition ?c2 }} }} }}
        GROUP BY ?s ORDER BY ?t ?s""")
    items = "\n".join(
        f'<tr id="{escape(r["s"].split("#", 1)[1])}"><td><code>{escape(curie(r["s"]))}</code></td>'
        f'<td>{escape(curie(r.get("t", "")))}</td><td>{escape(vocabulary_label(r["s"], lang) or "")}</td>'
        f'<td>{escape(r.get("comment") or r.get("anyComment") or "")}</td></tr>' for r in rows)
    return (f'<h2>Terms</h2><table id="terms"><tr><th>term</th><th>kind</th><th>label</th><th>meaning</th></tr>\n'
            f"{items}</table>\n")
