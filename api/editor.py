"""The HTML of ``GET /`` (and of ``GET /sparql`` for a browser): a SPARQL editor with the named
queries and the prefixes, in plain JS (no CDN).

``/*QUERIES*/[]`` is replaced by the JSON list of the named queries (as ``GET /queries``), and
``/*PREFIXES*/{}`` by the project's prefixes (kg.vocab.PREFIXES). All URLs are relative, so
the page also works when the app is mounted under a prefix. The script and style are inline,
allowed by hash in the page's Content-Security-Policy (:func:`editor_page`): edit them freely,
the hashes are computed from the page as served (queries and prefixes filled in).

The page runs the query in its URL (``/?query=…``: shareable links, the "Link to this query"
button writes one), offers the answer of the last query as CSV and JSON downloads, and
inserts a ``PREFIX`` line when a prefix of the list is clicked.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from api.security import inline_blocks, policy
from kg.vocab import PREFIXES

EDITOR_HTML = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>policy-kg · SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:80em;padding:0 1em}
textarea{width:100%;height:16em;font:13px/1.4 ui-monospace,monospace;box-sizing:border-box}
table{border-collapse:collapse;margin-top:.5em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2}#status{color:#555}#status.error{color:#b00}pre{background:#f6f6f6;padding:.5em;overflow:auto}
#params label{margin-right:1em}nav a{margin-right:1em}
#prefixes button{margin:.1em .3em .1em 0;font:12px ui-monospace,monospace}#downloads a,#share{margin-left:1em}
</style></head>
<body>
<h1>policy-kg</h1>
<nav>Lookups: <a href="agencies">agencies</a><a href="documents">documents</a><a href="targets">targets</a>
<a href="search?q=%E6%B3%95">search</a><a href="queries">named queries (JSON)</a><a href="sparql">service description</a>
<a href="docs">API docs</a></nav>
<h2>SPARQL</h2>
<p><label>Named query: <select id="named"><option value="">(write your own)</option></select></label>
<span id="summary"></span></p>
<div id="params"></div>
<p id="prefixes">Prefixes (click to insert): </p>
<textarea id="query" spellcheck="false">SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g</textarea>
<p><button id="run" type="button">Run query</button>
<button id="run-named" type="button" disabled>Run named query with parameters</button>
<button id="link" type="button">Link to this query</button><a id="share" hidden></a>
<span id="status"></span><span id="downloads"></span></p>
<div id="results"></div>
<script>
const QUERIES = /*QUERIES*/[];
const PREFIXES = /*PREFIXES*/{};
const ID = "https://w3id.org/policy-kg/id/";
const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
const $ = (id) => document.getElementById(id);

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  return node;
}

function load(name) {
  const q = QUERIES.find((x) => x.name === name);
  $("params").replaceChildren();
  $("run-named").disabled = !q;
  $("summary").textContent = q ? q.summary : "";
  if (!q) return;
  $("query").value = q.sparql;
  q.params.forEach((p) => {
    const label = el("label", p.name + (p.required ? " *" : "") + " ");
    label.appendChild(el("input", null, {name: p.name, placeholder: p.type, title: p.description,
                                         "data-param": p.name}));
    $("params").appendChild(label);
  });
}

function cell(term) {
  const td = el("td");
  if (!term) return td;
  if (term.type === "uri" && (term.value.startsWith(ID) || /^https?:\/\//i.test(term.value))) {
    const href = term.value.startsWith(ID) ? "id/" + term.value.slice(ID.length) : term.value;
    td.appendChild(el("a", term.value, {href}));  // only http(s) and our IRIs: never javascript:
  } else {
    td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
    if (term["xml:lang"]) td.appendChild(el("small", " @" + term["xml:lang"]));
  }
  return td;
}

let lastRun = null;  // (accept) => fetch(...) of the last query run: the downloads ask it again

async function download(format) {
  const [accept, ext] = format === "csv" ? ["text/csv", "csv"] : ["application/sparql-results+json", "json"];
  const response = await lastRun(accept);
  if (!response.ok) { $("status").className = "error"; $("status").textContent = "HTTP " + response.status; return; }
  const link = el("a", null, {href: URL.createObjectURL(await response.blob()), download: "results." + ext});
  document.body.appendChild(link); link.click(); link.remove();
}

function offerDownloads() {
  const box = $("downloads");
  box.replaceChildren();
  [["csv", "Download CSV"], ["json", "Download JSON"]].forEach(([format, text]) => {
    const a = el("a", text, {href: "#", id: "download-" + format});
    a.addEventListener("click", (e) => { e.preventDefault(); download(format); });
    box.appendChild(a);
  });
}

function insertPrefix(name) {
  const area = $("query"), line = "PREFIX " + name + ": <" + PREFIXES[name] + ">";
  if (new RegExp("PREFIX\\s+" + name + ":", "i").test(area.value)) return;
  area.value = line + "\n" + area.value;
  area.focus();
}

function shareLink() {
  const url = new URL(location.href);
  url.search = new URLSearchParams({query: $("query").value}).toString();
  url.hash = "";
  history.replaceState(null, "", url);
  const a = $("share");
  a.href = url.toString(); a.textContent = "link"; a.hidden = false;
}

async function show(responsePromise, run) {
  const status = $("status"), out = $("results");
  status.className = ""; status.textContent = "running…"; out.replaceChildren();
  $("downloads").replaceChildren();
  const started = performance.now();
  let response;
  try { response = await responsePromise; } catch (err) {
    status.className = "error"; status.textContent = "network error: " + err; return;
  }
  const type = response.headers.get("content-type") || "";
  const text = await response.text();
  const ms = Math.round(performance.now() - started);
  if (!response.ok) {
    let detail = text;
    try { detail = JSON.parse(text).detail; } catch (e) {}
    status.className = "error";
    status.textContent = "HTTP " + response.status + ": " + (typeof detail === "string" ? detail : JSON.stringify(detail));
    return;
  }
  const truncated = response.headers.get("x-result-truncated") === "true";
  if (type.includes("sparql-results+json")) {
    const data = JSON.parse(text);
    if ("boolean" in data) { status.textContent = ms + " ms"; out.appendChild(el("p", String(data.boolean), {id: "boolean"})); return; }
    const table = el("table", null, {id: "result-table"}), head = el("tr");
    data.head.vars.forEach((v) => head.appendChild(el("th", v)));
    table.appendChild(head);
    data.results.bindings.forEach((row) => {
      const tr = el("tr", null, {class: "row"});
      data.head.vars.forEach((v) => tr.appendChild(cell(row[v])));
      table.appendChild(tr);
    });
    status.textContent = data.results.bindings.length + " rows, " + ms + " ms" +
      (truncated ? " (truncated at the row limit " + response.headers.get("x-row-limit") + ")" : "");
    out.appendChild(table);
    lastRun = run; offerDownloads();
  } else {
    status.textContent = ms + " ms" + (truncated ? " (truncated)" : "");
    out.appendChild(el("pre", text));
  }
}

function runQuery() {
  const query = $("query").value;
  const run = (accept) => fetch("sparql", {method: "POST", body: new URLSearchParams({query}), headers: {Accept: accept}});
  show(run(ACCEPT), run);
}

function runNamed() {
  const name = $("named").value, params = new URLSearchParams();
  document.querySelectorAll("[data-param]").forEach((input) => {
    if (input.value !== "") params.append(input.dataset.param, input.value);
  });
  const qs = params.toString();
  const run = (accept) => fetch("queries/" + encodeURIComponent(name) + (qs ? "?" + qs : ""), {headers: {Accept: accept}});
  show(run(ACCEPT), run);
}

QUERIES.forEach((q) => $("named").appendChild(el("option", q.name + (q.summary ? " — " + q.summary : ""), {value: q.name})));
$("named").addEventListener("change", (e) => load(e.target.value));
$("run").addEventListener("click", runQuery);
$("run-named").addEventListener("click", runNamed);
$("link").addEventListener("click", shareLink);
Object.keys(PREFIXES).forEach((name) => {
  const b = el("button", name + ":", {type: "button", class: "prefix", title: PREFIXES[name], "data-prefix": name});
  b.addEventListener("click", () => insertPrefix(name));
  $("prefixes").appendChild(b);
});
const shared = new URLSearchParams(location.search).get("query");
if (shared) { $("query").value = shared; runQuery(); }
else if (QUERIES.length) { $("named").value = QUERIES[0].name; load(QUERIES[0].name); }
</script>
</body></html>
"""


def editor_page(queries: list[dict]) -> tuple[str, str]:
    """The editor's HTML with ``queries`` (dicts as ``GET /queries`` lists them) and the
    prefixes filled in, and its Content-Security-Policy."""
    return _editor_page(json.dumps(queries, ensure_ascii=False))


@lru_cache(maxsize=8)
def _editor_page(queries_json: str) -> tuple[str, str]:
    html = (EDITOR_HTML.replace("/*QUERIES*/[]", queries_json.replace("</", "<\\/"))
            .replace("/*PREFIXES*/{}", json.dumps(PREFIXES).replace("</", "<\\/")))
    return html, policy(scripts=inline_blocks(html, "script"), styles=inline_blocks(html, "style"),
                        connect_src=["'self'"])


def named_query_list(queries_dir: Path | None = None) -> list[dict]:
    """The named queries as the editor lists them."""
    from api.named import query_info
    from kg.queries import named_queries

    return [query_info(q).model_dump() for q in named_queries(queries_dir).values()]
