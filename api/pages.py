"""Pages for people: dereferenceable IRIs (``/id/...``) and the SPARQL editor (``/``).

``GET /id/{path}`` answers for ``https://w3id.org/policy-kg/id/{path}``: an HTML page
(label, types, properties with links, incoming links) for browsers, or the node's triples
as Turtle, JSON-LD, N-Triples, N-Quads or RDF/XML by Accept; 404 if the IRI has no triples.
Only http(s) IRIs and the server's own become links (api.security.safe_href); the pages carry a
Content-Security-Policy that allows their own inline blocks by hash and nothing else.
"""
from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode
from rdflib import RDFS, URIRef

from api.editor import EDITOR_HTML
from api.lookups import curie, table, values
from api.named import query_info
from api.negotiation import GRAPH_ALIASES, GRAPH_TYPES, negotiate
from api.progress import progress_section
from api.runner import Runner
from api.security import inline_blocks, policy, safe_href
from api.sparql import result_response
from kg.queries import named_queries
from kg.vocab import ID

PAGE_STYLE = """body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em}
table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.3em .6em;vertical-align:top}
code{background:#f4f4f4}.lang,.g{color:#888;font-size:85%}"""
PAGE_POLICY = policy(styles=[PAGE_STYLE])  # the IRI pages run no script at all
_PATH = re.compile(r"[^\s<>\"{}|\\^`]{1,500}")


def valid_iri(iri: str) -> bool:
    """Whether ``iri`` is an absolute IRI (RFC 3987) that a SPARQL engine accepts."""
    try:
        NamedNode(iri)
    except ValueError:
        return False
    return True


def pages_router(runner: Runner, queries_dir: Path | None = None) -> APIRouter:
    router = APIRouter(tags=["pages"])
    queries = [query_info(q).model_dump() for q in named_queries(queries_dir).values()]
    data = json.dumps(queries, ensure_ascii=False).replace("</", "<\\/")
    editor_html = EDITOR_HTML.replace("/*QUERIES*/[]", data)
    editor_policy = policy(scripts=inline_blocks(editor_html, "script"), styles=inline_blocks(editor_html, "style"),
                           connect_src=["'self'"])

    @router.get("/", response_class=HTMLResponse, summary="SPARQL editor and links",
                responses={200: {"description": "An HTML page with a SPARQL editor preloaded with the "
                                                "named queries, and links to the lookups."}})
    async def home() -> HTMLResponse:
        return HTMLResponse(editor_html, headers={"Content-Security-Policy": editor_policy})

    @router.get("/id/{path:path}", name="resource_page", summary="Dereference a policy-kg IRI",
                response_class=Response,
                responses={200: {"description": "The node: HTML for browsers, else its triples in the "
                                                "negotiated RDF format.",
                                 "content": {t: {} for t in ["text/html"] + GRAPH_TYPES}},
                           404: {"description": "The IRI has no triples."},
                           406: {"description": "No acceptable format."}})
    async def resource(request: Request, path: str) -> Response:
        if not _PATH.fullmatch(path) or not valid_iri(str(ID) + path):
            raise HTTPException(404, "not a policy-kg IRI")
        iri = URIRef(str(ID) + path)
        media = negotiate(request.headers.get("accept"), ["text/html"] + GRAPH_TYPES, GRAPH_ALIASES)
        if media is None:
            raise HTTPException(406, f"can answer as: text/html, {', '.join(GRAPH_TYPES)}")
        known = await runner.select(f"ASK {{ {values(s=iri)} GRAPH ?g {{ ?s ?p ?o }} }}")
        if not known.get("boolean"):
            raise HTTPException(404, f"nothing is known about <{iri}>")
        if media != "text/html":
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values(s=iri)} GRAPH ?g {{ ?s ?p ?o }} }}"
            return result_response(await runner.query(query, media), runner.row_limit)
        return HTMLResponse(await render(request, runner, iri),
                            headers={"Vary": "Accept", "Content-Security-Policy": PAGE_POLICY})

    return router


async def render(request: Request, runner: Runner, iri: URIRef) -> str:
    out = await table(runner, f"""
        SELECT ?p ?o (SAMPLE(?ol) AS ?olabel) (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs)
               (SAMPLE(IF(isIRI(?o), "iri", "")) AS ?isiri) (SAMPLE(LANG(?o)) AS ?lang)
        WHERE {{ {values(s=iri)} GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} }} }}
        GROUP BY ?p ?o ORDER BY ?p ?o""")
    incoming = await table(runner, f"""
        SELECT ?s ?p (SAMPLE(?sl) AS ?slabel) WHERE {{ {values(o=iri)}
          GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?s rdfs:label ?sl }} }} }}
        GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 500""")
    base = str(request.base_url).rstrip("/")
    label = next((r["o"] for r in out if r["p"] == str(RDFS.label) and r.get("isiri") != "iri"), None)
    types = [r for r in out if r["p"] == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]

    def anchor(target: str, text: str | None = None) -> str:
        """A link for http(s) IRIs and ours; any other IRI (javascript:, data: ...) as text."""
        href = safe_href(target, base, str(ID))
        if href is None:
            return f'<span class="iri">{escape(text or curie(target))}</span>'
        return f'<a href="{escape(href)}">{escape(text or curie(target))}</a>'

    def cell(row: dict, key: str, label_key: str) -> str:
        if row.get("isiri", "iri") == "iri":
            return anchor(row[key], row.get(label_key))
        lang = f' <span class="lang">@{escape(row["lang"])}</span>' if row.get("lang") else ""
        return escape(row[key]) + lang

    props = "\n".join(f"<tr><td>{anchor(r['p'])}</td><td>{cell(r, 'o', 'olabel')}</td>"
                      f"<td class=\"g\">{escape(' '.join(g.rsplit('/', 1)[-1] for g in r['graphs'].split()))}</td></tr>"
                      for r in out)
    links = "\n".join(f"<tr><td>{anchor(r['s'], r.get('slabel'))}</td><td>{anchor(r['p'])}</td></tr>"
                      for r in incoming)
    type_list = ", ".join(anchor(r["o"]) for r in types) or "—"
    title = escape(label or str(iri))
    commitments = await progress_section(runner, iri)  # api.progress: an agency's commitments and outcomes
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{title} · policy-kg</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{PAGE_STYLE}</style></head>
<body><p><a href="{escape(base)}/">policy-kg</a></p>
<h1>{title}</h1><p><code>{escape(str(iri))}</code></p>
<p>Types: {type_list}</p>
<p>Also as <code>text/turtle</code>, <code>application/ld+json</code>, <code>application/n-triples</code> (by Accept).</p>
<h2>Properties</h2><table id="properties"><tr><th>property</th><th>value</th><th>stated in</th></tr>
{props}</table>
<h2>Incoming links</h2><table id="incoming"><tr><th>from</th><th>property</th></tr>
{links or '<tr><td colspan="2">none</td></tr>'}</table>
{commitments}
</body></html>"""

