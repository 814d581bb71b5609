"""The HTML of ``GET /`` (and of ``GET /sparql`` for a browser): a SPARQL editor with the named
queries and the prefixes, in plain JS (no CDN).

``/*QUERIES*/[]`` is replaced by the JSON list of the named queries (as ``GET /queries``), and
``/*PREFIXES*/{}`` by the project's prefixes (kg.graph.vocab.PREFIXES). All URLs are relative, so
the page also works when the app is mounted under a prefix. The script and style are inline,
allowed by hash in the page's Content-Security-Policy (:func:`editor_page`): edit them freely,
the hashes are computed from the page as served (queries and prefixes filled in).

The page runs the query in its URL (``/?query=…``: shareable links, the "Link to this query"
button writes one), offers the answer of the last query as CSV and JSON downloads, and
inserts a ``PREFIX`` line when a prefix of the list is clicked.

Views (``&view=`` in the URL, the "View" menu): ``table`` (default); ``network`` draws a
CONSTRUCT/DESCRIBE answer (asked as N-Triples) or a SELECT answer's first two IRI columns as an
SVG network, nodes coloured by kind as in the Gephi export (``/*COLORS*/{}``: kg.export
.KIND_COLORS), labelled with their labels (asked from /sparql), each a link, at most
NETWORK_MAX nodes then "and N more"; ``bars`` draws a numeric column against a label column
as horizontal bars (at most BARS_MAX).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from api.security import inline_blocks, policy
from kg.export import KIND_COLORS
from kg.graph.vocab import PREFIXES

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
#picture svg{max-width:100%;height:auto;border:1px solid #eee;background:#fcfcfc}#network{max-width:900px}#picture-note{color:#555}
@media (max-width:600px){body{margin:.5em auto}textarea{height:10em}}
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
<label>View: <select id="view"><option value="table">table</option><option value="network">network</option>
<option value="bars">bar chart</option></select></label>
<span id="status"></span><span id="downloads"></span></p>
<div id="picture"></div><p id="picture-note"></p>
<div id="results"></div>
<script>
const QUERIES = /*QUERIES*/[];
const PREFIXES = /*PREFIXES*/{};
const ID = "https://w3id.org/policy-kg/id/";
const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
const ACCEPT_GRAPH = "application/sparql-results+json, application/n-triples;q=0.9";  // network view
const COLORS = /*COLORS*/{};
const NETWORK_MAX = 60, BARS_MAX = 40;
const SVGNS = "http://www.w3.org/2000/svg";
const LABELS = ["http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
                "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"];
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
let lastAnswer = null;  // {type, text} of the last answer: the views draw it

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
  const params = {query: $("query").value};
  if ($("view").value !== "table") params.view = $("view").value;
  url.search = new URLSearchParams(params).toString();
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
  lastAnswer = {type, text}; lastRun = run;
  drawView();
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
  show(run(accept()), run);
}

function runNamed() {
  const name = $("named").value, params = new URLSearchParams();
  document.querySelectorAll("[data-param]").forEach((input) => {
    if (input.value !== "") params.append(input.dataset.param, input.value);
  });
  const qs = params.toString();
  const run = (accept) => fetch("queries/" + encodeURIComponent(name) + (qs ? "?" + qs : ""), {headers: {Accept: accept}});
  show(run(accept()), run);
}

function accept() { return $("view").value === "network" ? ACCEPT_GRAPH : ACCEPT; }

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVGNS, tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function kindOf(iri) {  // a node's kind from its minted IRI, as the Gephi export colours it
  if (!iri.startsWith(ID)) return "other";
  const parts = iri.slice(ID.length).split("/");
  if (parts[0] === "report" && parts.length > 2) return parts[2];
  return parts[0] === "organization" ? "organisation" : parts[0];
}

function hrefOf(iri) {
  if (iri.startsWith(ID)) return "id/" + iri.slice(ID.length);
  return /^https?:\/\//i.test(iri) ? iri : null;
}

function short(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

const NT = /^(<[^>]*>|_:\S+)\s+<([^>]*)>\s+(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)\s*\.\s*$/;

function unquote(term) {  // an N-Triples term: {type, value}
  if (term.startsWith("<")) return {type: "uri", value: term.slice(1, -1)};
  if (term.startsWith("_:")) return {type: "bnode", value: term.slice(2)};
  const end = term.lastIndexOf('"');
  return {type: "literal", value: JSON.parse(term.slice(0, end + 1))};
}

function networkOf(answer) {  // {edges: [[a, b, relation]], labels: {iri: label}} or null
  const edges = [], labels = {};
  if (answer.type.includes("sparql-results+json")) {
    const data = JSON.parse(answer.text);
    if (!data.head || !data.results) return null;
    const iriVars = data.head.vars.filter((v) => data.results.bindings.some((b) => b[v] && b[v].type === "uri")
      && data.results.bindings.every((b) => !b[v] || b[v].type === "uri"));
    if (iriVars.length < 2) return null;
    const [a, b] = iriVars;
    data.results.bindings.forEach((row) => { if (row[a] && row[b]) edges.push([row[a].value, row[b].value, b]); });
  } else if (answer.type.includes("n-triples")) {
    answer.text.split("\n").forEach((line) => {
      const m = NT.exec(line.trim());
      if (!m) return;
      const s = unquote(m[1]), o = unquote(m[3]);
      if (o.type === "literal") { if (LABELS.includes(m[2]) && !labels[s.value]) labels[s.value] = o.value; return; }
      if (m[2] === "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") return;
      edges.push([s.value, o.value, m[2].replace(/.*[#\/]/, "")]);
    });
  } else return null;
  return {edges, labels};
}

function layout(nodes, edges, width, height) {  // a small Fruchterman-Reingold, seeded: same picture each time
  const pos = {}, n = nodes.length, k = Math.sqrt(width * height / Math.max(n, 1)) * 0.6;
  nodes.forEach((id, i) => { const a = 2 * Math.PI * i / n; pos[id] = {x: width / 2 + width / 3 * Math.cos(a), y: height / 2 + height / 3 * Math.sin(a)}; });
  for (let step = 0, t = width / 10; step < 120; step++, t *= 0.97) {
    const move = {};
    nodes.forEach((v) => { move[v] = {x: 0, y: 0}; });
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const u = nodes[i], v = nodes[j], dx = pos[u].x - pos[v].x, dy = pos[u].y - pos[v].y;
      const d = Math.max(Math.hypot(dx, dy), 0.01), f = k * k / d;
      move[u].x += dx / d * f; move[u].y += dy / d * f; move[v].x -= dx / d * f; move[v].y -= dy / d * f;
    }
    edges.forEach(([u, v]) => {
      const dx = pos[u].x - pos[v].x, dy = pos[u].y - pos[v].y, d = Math.max(Math.hypot(dx, dy), 0.01), f = d * d / k;
      move[u].x -= dx / d * f; move[u].y -= dy / d * f; move[v].x += dx / d * f; move[v].y += dy / d * f;
    });
    nodes.forEach((v) => {
      const d = Math.max(Math.hypot(move[v].x, move[v].y), 0.01);
      pos[v].x = Math.min(width - 60, Math.max(60, pos[v].x + move[v].x / d * Math.min(d, t)));
      pos[v].y = Math.min(height - 25, Math.max(20, pos[v].y + move[v].y / d * Math.min(d, t)));
    });
  }
  return pos;
}

async function fetchLabels(iris) {  // {iri: label} for our IRIs, from the store
  const ours = iris.filter((i) => i.startsWith("http"));
  if (!ours.length) return {};
  const query = "SELECT ?x (SAMPLE(?l) AS ?label) WHERE { VALUES ?x { " + ours.map((i) => "<" + i + ">").join(" ") +
    " } GRAPH ?g { ?x <" + LABELS[0] + ">|<" + LABELS[1] + ">|<" + LABELS[2] + "> ?l } } GROUP BY ?x";
  const response = await fetch("sparql", {method: "POST", body: new URLSearchParams({query}),
                                          headers: {Accept: "application/sparql-results+json"}});
  if (!response.ok) return {};
  const out = {};
  (await response.json()).results.bindings.forEach((b) => { if (b.label) out[b.x.value] = b.label.value; });
  return out;
}

async function drawNetwork(net) {
  const degree = {};
  net.edges.forEach(([a, b]) => { degree[a] = (degree[a] || 0) + 1; degree[b] = (degree[b] || 0) + 1; });
  const all = Object.keys(degree).sort((a, b) => degree[b] - degree[a] || (a < b ? -1 : 1));
  const nodes = all.slice(0, NETWORK_MAX), shown = new Set(nodes);
  const edges = net.edges.filter(([a, b]) => shown.has(a) && shown.has(b));
  const labels = {...await fetchLabels(nodes.filter((i) => !net.labels[i])), ...net.labels};
  const width = 800, height = 520, pos = layout(nodes, edges, width, height);
  const svg = svgEl("svg", {id: "network", viewBox: "0 0 " + width + " " + height, width: "100%", role: "img"});
  edges.forEach(([a, b, rel]) => {
    const line = svgEl("line", {x1: pos[a].x, y1: pos[a].y, x2: pos[b].x, y2: pos[b].y, stroke: "#bbb"});
    line.appendChild(svgEl("title", {}, rel)); svg.appendChild(line);
  });
  nodes.forEach((iri) => {
    const kind = kindOf(iri), href = hrefOf(iri), label = labels[iri] || (iri.startsWith(ID) ? kind : iri);
    const group = svgEl("g", {class: "node", "data-key": iri, "data-kind": kind});
    const holder = href ? svgEl("a", {href}) : svgEl("g");
    holder.appendChild(svgEl("title", {}, label));
    holder.appendChild(svgEl("circle", {cx: pos[iri].x, cy: pos[iri].y, r: 7, fill: COLORS[kind] || "#7f7f7f", stroke: "#fff"}));
    holder.appendChild(svgEl("text", {x: pos[iri].x, y: pos[iri].y + 19, "text-anchor": "middle", "font-size": 11}, short(label, 14)));
    group.appendChild(holder); svg.appendChild(group);
  });
  $("picture").replaceChildren(svg);
  noteMore(all.length - nodes.length, "nodes");
}

function noteMore(hidden, what) {
  const note = $("picture-note");
  note.replaceChildren();
  if (hidden <= 0) return;
  const a = el("a", "and " + hidden + " more " + what + " (in the table below)", {href: "#result-table", id: "picture-more"});
  note.appendChild(a);
}

function barsOf(answer) {  // [{label, value, href}] or null: a numeric column against a label column
  if (!answer.type.includes("sparql-results+json")) return null;
  const data = JSON.parse(answer.text);
  if (!data.head || !data.results || !data.results.bindings.length) return null;
  const numeric = (t) => t && t.type === "literal" && t.value !== "" && !isNaN(Number(t.value));
  const rows = data.results.bindings, vars = data.head.vars;
  const valueVar = vars.find((v) => rows.every((r) => !r[v] || numeric(r[v])) && rows.some((r) => numeric(r[v])));
  if (!valueVar) return null;
  const labelVar = vars.find((v) => v !== valueVar && rows.some((r) => r[v] && r[v].type === "literal" && !numeric(r[v])))
    || vars.find((v) => v !== valueVar && rows.some((r) => r[v]));
  if (!labelVar) return null;
  const iriVar = vars.find((v) => rows.some((r) => r[v] && r[v].type === "uri"));
  return rows.filter((r) => numeric(r[valueVar])).map((r) => ({
    label: r[labelVar] ? r[labelVar].value : "", value: Number(r[valueVar].value),
    href: iriVar && r[iriVar] ? hrefOf(r[iriVar].value) : null, valueVar}));
}

function drawBars(bars) {
  const shown = bars.slice(0, BARS_MAX), top = Math.max(...shown.map((b) => Math.abs(b.value)), 1e-9);
  const width = 800, rowH = 22, labelW = 260, svg = svgEl("svg", {id: "bars", viewBox: "0 0 " + width + " " + (shown.length * rowH + 10), width: "100%", role: "img"});
  shown.forEach((bar, i) => {
    const y = 5 + i * rowH, length = Math.max(2, (width - labelW - 70) * Math.abs(bar.value) / top);
    const group = svgEl("g", {class: "bar", "data-label": bar.label, "data-value": String(bar.value)});
    const holder = bar.href ? svgEl("a", {href: bar.href}) : svgEl("g");
    holder.appendChild(svgEl("title", {}, bar.label + ": " + bar.value));
    holder.appendChild(svgEl("text", {x: 4, y: y + 15, "font-size": 12}, short(bar.label, 24)));
    holder.appendChild(svgEl("rect", {x: labelW, y: y + 3, width: length, height: rowH - 6, fill: COLORS.document || "#ff7f0e"}));
    holder.appendChild(svgEl("text", {x: labelW + length + 4, y: y + 15, "font-size": 11}, String(bar.value)));
    group.appendChild(holder); svg.appendChild(group);
  });
  $("picture").replaceChildren(svg);
  noteMore(bars.length - shown.length, "bars");
}

function drawView() {
  $("picture").replaceChildren(); $("picture-note").replaceChildren();
  if (!lastAnswer) return;
  const view = $("view").value;
  if (view === "network") {
    const net = networkOf(lastAnswer);
    if (net && net.edges.length) drawNetwork(net);
    else $("picture-note").textContent = "A network needs a CONSTRUCT or DESCRIBE answer, or a SELECT answer with two IRI columns.";
  } else if (view === "bars") {
    const bars = barsOf(lastAnswer);
    if (bars && bars.length) drawBars(bars);
    else $("picture-note").textContent = "A bar chart needs a numeric column and a label column.";
  }
}

function changeView() {
  const url = new URL(location.href), params = new URLSearchParams(url.search);
  if ($("view").value === "table") params.delete("view"); else params.set("view", $("view").value);
  url.search = params.toString();
  history.replaceState(null, "", url);
  if (lastRun && $("view").value === "network" && lastAnswer && !lastAnswer.type.includes("n-triples")
      && !lastAnswer.type.includes("sparql-results+json")) show(lastRun(accept()), lastRun);  // ask again as N-Triples
  else drawView();
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
$("view").addEventListener("change", changeView);
const sharedView = new URLSearchParams(location.search).get("view");
if (["table", "network", "bars"].includes(sharedView)) $("view").value = sharedView;
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
            .replace("/*PREFIXES*/{}", json.dumps(PREFIXES).replace("</", "<\\/"))
            .replace("/*COLORS*/{}", json.dumps(KIND_COLORS)))
    return html, policy(scripts=inline_blocks(html, "script"), styles=inline_blocks(html, "style"),
                        connect_src=["'self'"])


def named_query_list(queries_dir: Path | None = None) -> list[dict]:
    """The named queries as the editor lists them."""
    from api.named import query_info
    from kg.queries import named_queries

    return [query_info(q).model_dump() for q in named_queries(queries_dir).values()]
