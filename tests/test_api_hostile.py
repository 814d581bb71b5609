"""Hostile HTTP clients, over a real uvicorn on 127.0.0.1 (issue 11).

- stored XSS: a ``javascript:`` report URL is refused at upload (422), and a page never makes a
  link of anything but an http(s) IRI or a path of this server, even when the store holds such
  IRIs (written by an older version or by SPARQL UPDATE);
- security headers on every answer: CSP without inline script (except by hash), no framing,
  ``nosniff``;
- SPARQL UPDATE may not make the server call other hosts (``LOAD``, ``SERVICE``), decided from
  the parsed update: the words in a string, comment, variable or prefix are fine; queries
  likewise for ``SERVICE``;
- ``POST /reports`` refuses multipart bodies with too many parts or nested multiparts (4xx,
  never 5xx) without holding up the other requests.
"""
from __future__ import annotations

import base64
import hashlib
import socket
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.reports import MAX_PARTS
from kg.graph.vocab import report_graph

from .api_fixtures import AGENCY, REPORT, REPORT_ID, TOKEN, listener, module_store, serve, write_queries

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPORT_PATH = "/id/" + str(REPORT).split("/id/", 1)[1]
AGENCY_PATH = "/id/" + str(AGENCY).split("/id/", 1)[1]
EVIL = "javascript:alert(document.domain)"


store = module_store("hostile")


@pytest.fixture(scope="module")
def url(store, tmp_path_factory):
    app = create_app(store, token=TOKEN, query_timeout=3,
                     queries_dir=write_queries(tmp_path_factory.mktemp("queries")))
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def client(url):
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client


class Page(HTMLParser):
    """The hrefs, srcs, inline scripts (their text) and the other text of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.hrefs, self.srcs, self.text, self.scripts = [], [], [], []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k in ("href", "action", "formaction")]
        self.srcs += [v for k, v in attrs if k == "src"]
        self._in_script = tag == "script" and not dict(attrs).get("src")  # inline scripts only

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def update(client, text: str) -> httpx.Response:
    return client.post("/sparql", content=text.encode(), headers={**AUTH, "Content-Type": "application/sparql-update"})


def upload(client, text: str = "北京市司法局2023年法治政府建设年度报告\n一、工作总结\n", **fields) -> httpx.Response:
    return client.post("/reports", headers=AUTH, data=fields,
                       files={"file": ("report.txt", text.encode("utf-8"), "text/plain")})


# --- 7. stored XSS through the report URL ---------------------------------------------------

@pytest.mark.parametrize("bad", [EVIL, "JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
                                 "vbscript:msgbox(1)", "file:///etc/passwd", "urn:isbn:123", "//evil.example/x",
                                 "http:no-host", " javascript:alert(1)"])
def test_upload_refuses_report_urls_that_are_not_http(client, store, bad):
    before = store.graphs()
    response = upload(client, id="xss-test", url=bad)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and "url" in detail and "http" in detail
    assert store.graphs() == before


@pytest.mark.skipif(not (EXAMPLES / "haibin-sfj-2025.txt").exists(), reason="no example report in examples/")
def test_an_http_report_url_becomes_a_link(client, store):
    text = (EXAMPLES / "haibin-sfj-2025.txt").read_text(encoding="utf-8")
    response = upload(client, text, id="url-test", year="2025", url="https://example.org/report.html")
    assert response.status_code == 201, response.text
    try:
        page = Page(client.get(response.json()["report"]["page"], headers={"Accept": "text/html"}).text)
        assert "https://example.org/report.html" in page.hrefs
    finally:
        store.drop_graph(str(report_graph("url-test")))


HOSTILE_IRIS = [EVIL, "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)",
                "urn:isbn:9787100000000"]


@pytest.fixture
def hostile_triples(client, store):
    """The report names each hostile IRI as its source, links to an https page, and is pointed
    at by a javascript: subject with a label that is markup, all written with SPARQL UPDATE as a client could."""
    graph = f"<{report_graph(REPORT_ID)}>"
    triples = " ".join(f"<{REPORT}> <http://purl.org/dc/terms/source> <{iri}> ." for iri in HOSTILE_IRIS)
    triples += f" <{REPORT}> <http://purl.org/dc/terms/relation> <https://example.org/ok> ."
    triples += " <javascript:alert(2)> <http://purl.org/dc/terms/references> <%s> ." % REPORT
    triples += ' <javascript:alert(2)> <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(2)</script>" .'
    response = update(client, f"INSERT DATA {{ GRAPH {graph} {{ {triples} }} }}")
    assert response.status_code == 204, response.text
    yield
    assert update(client, f"DELETE DATA {{ GRAPH {graph} {{ {triples} }} }}").status_code == 204


def test_pages_link_only_http_and_own_iris(client, hostile_triples):
    response = client.get(REPORT_PATH, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    page = Page(response.text)
    base = str(client.base_url).rstrip("/")
    for href in page.hrefs:
        assert href.startswith((base + "/", "http://", "https://")), href
    assert "https://example.org/ok" in page.hrefs            # an http(s) IRI is still a link
    assert base + AGENCY_PATH in page.hrefs                   # and so is one of ours
    text = " ".join(page.text)
    for iri in HOSTILE_IRIS:
        assert iri in text, iri                               # shown, as text
    assert "<script>alert(2)</script>" in text                # the subject's label: text, never markup
    assert not page.scripts and "<script>alert" not in response.text


def test_the_editor_links_only_http_iris(client):
    """The editor turns result IRIs into links in JavaScript: only http(s) ones."""
    script = "".join(Page(client.get("/").text).scripts)
    cell = script[script.index("function cell"):script.index("async function show")]
    assert "https?:" in cell and "href" in cell


# --- security headers ----------------------------------------------------------------------

def policy(response: httpx.Response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_safe_html(response: httpx.Response) -> dict[str, list[str]]:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    csp = policy(response)
    assert csp.get("frame-ancestors") == ["'none'"], csp
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, csp
    assert "*" not in scripts and "data:" not in scripts and "'none'" in csp.get("object-src", csp.get("default-src")), csp
    for script in Page(response.text).scripts:        # every inline script is allowed by its hash
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in scripts, csp
    return csp


def test_html_pages_carry_a_content_security_policy(client):
    home = client.get("/")
    assert_safe_html(home)
    assert Page(home.text).scripts  # the editor's script: allowed by hash, so the editor still runs
    assert_safe_html(client.get(AGENCY_PATH, headers={"Accept": "text/html"}))
    for docs in ("/docs", "/redoc"):
        response = client.get(docs)
        assert response.status_code == 200
        assert_safe_html(response)


def test_every_answer_says_nosniff(client):
    answers = {
        "json": client.get("/agencies"),
        "404": client.get("/agencies/nobody"),
        "sparql json": client.get("/sparql", params={"query": "ASK {}"}),
        "turtle": client.get(AGENCY_PATH, headers={"Accept": "text/turtle"}),
        "service description": client.get("/sparql"),
        "400": client.get("/sparql", params={"query": "SELECT"}),
        "405": client.delete("/sparql"),
        "413": client.post("/sparql", content=b"#" * (11 * 1024 * 1024),
                           headers={"Content-Type": "application/sparql-query"}),
        "openapi": client.get("/openapi.json"),
    }
    for name, response in answers.items():
        assert response.headers.get("x-content-type-options") == "nosniff", (name, response.status_code)
    assert answers["413"].status_code == 413


# --- 8. SPARQL UPDATE and queries may not call other hosts ----------------------------------

def test_updates_may_not_load_or_call_services(client, store):
    with listener() as (sock, port):
        target = f"http://127.0.0.1:{port}/data.ttl"
        updates = {
            "LOAD": f"LOAD <{target}>",
            "lower case LOAD SILENT INTO": f"load silent <{target}> into graph <urn:test:loaded>",
            "LOAD after an insert": f'INSERT DATA {{ GRAPH <urn:test:a> {{ <urn:s> <urn:p> 1 }} }} ;\nLOAD <{target}>',
            "LOAD by prefixed name": f"PREFIX t: <http://127.0.0.1:{port}/>\nLOAD t:data.ttl",
            "SERVICE": f"INSERT {{ GRAPH <urn:test:a> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            "SERVICE SILENT in a DELETE": f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                          f"sErViCe SILENT <{target}> {{ ?s ?p ?o }} }}",
            # Oxigraph reads a keyword wherever it can, and ends a comment at \r as well as \n
            # (rdflib's parser does not: to it this LOAD is part of the comment).
            "LOAD after a comment ended by CR": f'INSERT DATA {{ GRAPH <urn:test:a> {{ <urn:s> <urn:p> 1 }} }} ;'
                                                f' # x\r LOAD <{target}>',
            "LOAD glued to a prefixed name": f"PREFIX : <http://127.0.0.1:{port}/>\nLOAD:data.ttl",
            "SERVICE glued to a number": f"PREFIX : <http://127.0.0.1:{port}/>\nINSERT {{ GRAPH <urn:test:a> "
                                         f"{{ ?s ?p ?o }} }} WHERE {{ ?s ?p 1SERVICE:x {{ ?s ?p ?o }} }}",
            "SERVICE by variable": f"DELETE WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} ;\nINSERT {{ GRAPH <urn:test:a> "
                                   f"{{ ?s ?p ?o }} }} WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        }
        before = (store.graphs(), store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        for name, text in updates.items():
            response = update(client, text)
            assert response.status_code == 400, (name, response.status_code, response.text)
            detail = response.json()["detail"]
            assert "\n" not in detail and ("LOAD" in detail or "SERVICE" in detail), (name, detail)
            form = client.post("/sparql", data={"update": text}, headers=AUTH)
            assert form.status_code == 400, (name, form.text)
        with pytest.raises(socket.timeout):
            sock.accept()  # nobody called
        after = (store.graphs(), store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert after == before  # nothing of a refused update was applied


def test_updates_that_only_mention_load_or_service_work(client, store):
    words = '"LOAD <http://127.0.0.1:1/> and SERVICE <http://127.0.0.1:1/> {}"'
    updates = [
        f"INSERT DATA {{ GRAPH <urn:test:words> {{ <urn:s> <urn:p> {words} }} }}",
        "# SERVICE <http://127.0.0.1:1/> and LOAD\nINSERT DATA { GRAPH <urn:test:words> { <urn:s> <urn:q> 1 } }",
        "PREFIX load: <urn:load:>\nPREFIX ex: <urn:ex:>\n"
        "INSERT DATA { GRAPH <urn:test:words> { ex:public_service ex:load <urn:service> } }",
        "INSERT { GRAPH <urn:test:words> { ?service <urn:r> ?load } } "
        "WHERE { GRAPH <urn:test:words> { ?service <urn:p> ?load } }",
        "DELETE { GRAPH <urn:test:words> { ?service <urn:p> ?o } } WHERE { GRAPH <urn:test:words> { "
        "?service <urn:p> ?o FILTER(CONTAINS(STR(?o), \"SERVICE <\")) } }",
    ]
    try:
        for text in updates:
            response = update(client, text)
            assert response.status_code == 204, (text, response.text)
        rows = store.select("SELECT ?p ?o WHERE { GRAPH <urn:test:words> { ?s ?p ?o } } ORDER BY ?p")
        got = {(b["p"]["value"], b["o"]["value"]) for b in rows["results"]["bindings"]}
        assert ("urn:q", "1") in got and ("urn:ex:load", "urn:service") in got
        assert ("urn:r", "LOAD <http://127.0.0.1:1/> and SERVICE <http://127.0.0.1:1/> {}") in got
        assert not any(o.startswith("LOAD") and p == "urn:p" for p, o in got)  # the DELETE ran
    finally:
        update(client, "DROP SILENT GRAPH <urn:test:words>")


def test_queries_that_only_mention_service_are_answered(client):
    queries = {
        "variable": ("SELECT ?service WHERE { VALUES ?service { 1 } }", "1"),
        "comment": ("# services of the state\nSELECT ?x WHERE { VALUES ?x { 2 } }", "2"),
        "string": ('SELECT ?l WHERE { VALUES ?l { "public service" } FILTER(CONTAINS(?l, "public service")) }',
                   "public service"),
        "prefix": ("PREFIX service: <urn:service:>\nPREFIX ex: <urn:ex:>\nSELECT ?x WHERE { VALUES ?x { ex:service } }",
                   "urn:ex:service"),
        "IRI": ("SELECT ?x WHERE { VALUES ?x { <https://example.org/service> } }", "https://example.org/service"),
        "deep": ("SELECT ?service WHERE " + "{" * 300 + " VALUES ?service { 3 } " + "}" * 300, "3"),
    }
    for name, (query, value) in queries.items():
        for response in (client.get("/sparql", params={"query": query}), client.post("/sparql", data={"query": query})):
            assert response.status_code == 200, (name, response.text)
            bindings = response.json()["results"]["bindings"]
            assert [next(iter(b.values()))["value"] for b in bindings] == [value], name



def test_queries_that_call_a_service_are_refused_in_every_spelling(client):
    """tests/test_api_fuzz.py has the plain forms; these are the ones a word-blind check misses."""
    with listener() as (sock, port):
        target = f"http://127.0.0.1:{port}/sparql"
        queries = {
            "deep inside": "SELECT * WHERE " + "{" * 300 + f" SERVICE <{target}> {{ ?s ?p ?o }} " + "}" * 300,
            "after a comment ended by CR": f"SELECT * WHERE {{ # x\r SERVICE <{target}> {{ ?s ?p ?o }} }}",
            "glued to a prefixed name": f"PREFIX : <{target}#>\nSELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
            "glued to a triple": f"PREFIX : <{target}#>\nSELECT * WHERE {{ ?s ?p ?o.SERVICE:x {{ ?a ?b ?c }} }}",
            "glued to a number": f"SELECT * WHERE {{ VALUES ?o {{ 1 }} ?s ?p 1SERVICE <{target}> {{ ?a ?b ?c }} }}",
            "a prefix named service": f"PREFIX service: <urn:x#>\nPREFIX : <{target}#>\nSELECT * WHERE {{ service:x {{ ?s ?p ?o }} }}",
        }
        for name, query in queries.items():
            response = client.post("/sparql", data={"query": query})
            assert response.status_code == 400, (name, response.text)
            assert "SERVICE" in response.json()["detail"], name
        with pytest.raises(socket.timeout):
            sock.accept()  # nobody called


# --- 10. multipart bodies: too many parts, nested parts -------------------------------------

def many_fields(count: int, boundary: str = "b") -> bytes:
    field = f'--{boundary}\r\nContent-Disposition: form-data; name="f"\r\n\r\nx\r\n'.encode()
    return field * count + f"--{boundary}--\r\n".encode()


def nested(depth: int) -> tuple[str, bytes]:
    """A multipart body whose only part is a multipart whose only part is ... ``depth`` deep."""
    body = b'Content-Disposition: form-data; name="file"; filename="r.txt"\r\n\r\nreport\r\n'
    for level in range(depth, 0, -1):
        body = (f"--n{level}\r\n".encode() + body + f"--n{level}--\r\n".encode())
        body = f'Content-Type: multipart/mixed; boundary="n{level}"\r\n'.encode() + \
            (b'Content-Disposition: form-data; name="file"\r\n' if level == 1 else b"") + b"\r\n" + body + b"\r\n"
    return "multipart/form-data; boundary=n0", b"--n0\r\n" + body + b"--n0--\r\n"


def test_a_body_of_many_fields_is_refused_while_lookups_go_on(client, url):
    body = many_fields(174_762)
    assert 9_000_000 < len(body) < 10 * 1024 * 1024  # under the body limit: it is parsed
    outcome = {}

    def post():
        with httpx.Client(timeout=120) as other:
            start = time.monotonic()
            outcome["response"] = other.post(url + "/reports", content=body, headers={
                **AUTH, "Content-Type": "multipart/form-data; boundary=b"})
            outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=post)
    thread.start()
    slowest = 0.0
    while thread.is_alive():  # lookups all the while the body is sent and parsed
        start = time.monotonic()
        lookup = client.get("/agencies", params={"limit": 1})
        slowest = max(slowest, time.monotonic() - start)
        assert lookup.status_code == 200
        time.sleep(0.05)
    thread.join()
    assert slowest < 1.0, f"a lookup waited {slowest:.1f} s"
    response = outcome["response"]
    assert response.status_code in (400, 413), response.text
    detail = response.json()["detail"]
    assert "\n" not in detail and str(MAX_PARTS) in detail and "parts" in detail


def test_a_few_parts_too_many_are_refused(client):
    files = {"file": ("r.txt", b"report", "text/plain")}
    extra = {f"x{i}": "y" for i in range(MAX_PARTS)}  # with the file: MAX_PARTS + 1 parts
    response = client.post("/reports", headers=AUTH, files=files, data=extra)
    assert response.status_code in (400, 413) and "parts" in response.json()["detail"], response.text


@pytest.mark.parametrize("depth", [1, 5000])
def test_nested_multipart_is_refused(client, depth):
    ctype, body = nested(depth)
    response = client.post("/reports", content=body, headers={**AUTH, "Content-Type": ctype})
    assert response.status_code == 400, (response.status_code, response.text[:300])
    detail = response.json()["detail"]
    assert "\n" not in detail and "nested" in detail


@pytest.mark.parametrize("ctype, body", [
    ("multipart/form-data", b"--b\r\n\r\nx\r\n--b--\r\n"),                        # no boundary
    ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx"),  # no end
    ("multipart/form-data; boundary=b", b"no parts at all"),
    ("multipart/form-data; boundary=" + "b" * 71, b"--" + b"b" * 71 + b"--\r\n"),  # boundary too long (RFC 2046)
    ("multipart/form-data; boundary=b", b"--b\r\n" + b"X-Long: " + b"y" * 20000 + b"\r\n\r\nx\r\n--b--\r\n"),
])
def test_malformed_multipart_is_400(client, ctype, body):
    response = client.post("/reports", content=body, headers={**AUTH, "Content-Type": ctype})
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "\n" not in response.json()["detail"]


def test_fields_and_file_names_still_arrive(client, monkeypatch):
    """The parser takes what browsers and HTTP libraries send: a quoted boundary, a preamble and
    an epilogue, RFC 2231 file names, quotes and blank lines in values."""
    import sys
    import types

    seen = []

    def ingest_text(store, text, meta):
        seen.append((text, meta))
        return types.SimpleNamespace(stored=True)

    monkeypatch.setitem(sys.modules, "kg.ingest", types.SimpleNamespace(ingest_text=ingest_text))
    body = ("preamble to ignore\r\n--xYz\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n报告 \"一\"\r\n"
            "--xYz\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.txt\r\n"
            "Content-Type: text/plain\r\n\r\n第一行\r\n\r\n第二行\r\n--xYz--\r\nepilogue").encode()
    response = client.post("/reports", content=body, headers={**AUTH, "Content-Type": 'multipart/form-data; boundary="xYz"'})
    assert response.status_code == 201, response.text
    text, meta = seen[0]
    assert text == "第一行\r\n\r\n第二行" and meta.title == '报告 "一"' and meta.id == "报告"
