"""The HTML of ``GET /``: a SPARQL editor with the named queries, in plain JS (no CDN).

``/*QUERIES*/[]`` is replaced by the JSON list of the named queries (as ``GET /queries``).
All URLs are relative, so the page also works when the app is mounted under a prefix.
The script and style are inline, allowed by hash in the page's Content-Security-Policy
(api.pages): edit them freely, the hashes are computed from this text.
"""

EDITOR_HTML = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>policy-kg · SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:80em;padding:0 1em}
textarea{width:100%;height:16em;font:13px/1.4 ui-monospace,monospace;box-sizing:border-box}
table{border-collapse:collapse;margin-top:.5em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2}#status{color:#555}#status.error{color:#b00}pre{background:#f6f6f6;padding:.5em;overflow:auto}
#params label{margin-right:1em}nav a{margin-right:1em}
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
<textarea id="query" spellcheck="false">SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g</textarea>
<p><button id="run" type="button">Run query</button>
<button id="run-named" type="button" disabled>Run named query with parameters</button>
<span id="status"></span></p>
<div id="results"></div>
<script>
const QUERIES = /*QUERIES*/[];
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

async function show(responsePromise) {
  const status = $("status"), out = $("results");
  status.className = ""; status.textContent = "running…"; out.replaceChildren();
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
  } else {
    status.textContent = ms + " ms" + (truncated ? " (truncated)" : "");
    out.appendChild(el("pre", text));
  }
}

function runQuery() {
  const body = new URLSearchParams({query: $("query").value});
  show(fetch("sparql", {method: "POST", body, headers: {Accept: ACCEPT}}));
}

function runNamed() {
  const name = $("named").value, params = new URLSearchParams();
  document.querySelectorAll("[data-param]").forEach((input) => {
    if (input.value !== "") params.append(input.dataset.param, input.value);
  });
  const qs = params.toString();
  show(fetch("queries/" + encodeURIComponent(name) + (qs ? "?" + qs : ""), {headers: {Accept: ACCEPT}}));
}

QUERIES.forEach((q) => $("named").appendChild(el("option", q.name + (q.summary ? " — " + q.summary : ""), {value: q.name})));
$("named").addEventListener("change", (e) => load(e.target.value));
$("run").addEventListener("click", runQuery);
$("run-named").addEventListener("click", runNamed);
if (QUERIES.length) { $("named").value = QUERIES[0].name; load(QUERIES[0].name); }
</script>
</body></html>
"""
