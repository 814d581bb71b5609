"""Hostile input against the HTTP API, over a real uvicorn on 127.0.0.1 and the example reports.

A short schemathesis run over the whole OpenAPI description (fuzz/api_schemathesis.py is the
long one), then the faults one by one: writes without a token or with a wrong one, oversized
bodies, a runaway query, queries that would overflow the engine's stack, federated queries
(server-side requests), path traversal, and the named queries' folder.
"""
from __future__ import annotations

import asyncio
import http.client
import select
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from fastapi import HTTPException

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from api.app import create_app  # noqa: E402
from api.runner import Runner  # noqa: E402
from api.sparql import MAX_NESTING, MAX_QUERY_CHARS  # noqa: E402
from kg.store import EmbeddedStore, Store  # noqa: E402

from .api_fixtures import TOKEN, listener, serve, triple_count  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BIG = 20 * 1024 * 1024  # twice create_app's default body limit (10 MB)
RUNAWAY_TIMEOUT = 1.0
# Every triple against every triple, each pair compared: seconds of work before the first row.
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } GRAPH ?h { ?a ?b ?c } "
           "FILTER(STR(?o) != STR(?c)) }")
SIMPLE = "ASK { GRAPH ?g { ?s ?p ?o } }"
INSERT = 'INSERT DATA { GRAPH <urn:test:fuzz> { <urn:test:s> <urn:test:p> "written" } }'

# Statuses that count as "accepted" for schema-valid requests where the description cannot say
# what the server checks (as in fuzz/api_schemathesis.py, which explains each).
SCHEMATHESIS_CONFIG = """
[checks]
enabled = true

[[operations]]
include-name = "GET /sparql"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404"]

[[operations]]
include-name = "POST /sparql"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404"]

[[operations]]
include-name = "POST /reports"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "422"]
checks.missing_required_header.enabled = false  # writes are off: 403 with or without credentials
checks.negative_data_rejection.enabled = false  # multipart fields are text: any "wrong type" is text too

[[operations]]
include-name = "GET /export"
checks.positive_data_acceptance.expected-statuses = ["2xx", "422"]
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from kg.ingest import ingest_paths

    store = EmbeddedStore(tmp_path_factory.mktemp("fuzz-api") / "store")
    summary = ingest_paths([EXAMPLES], store)
    assert summary.stored, [o.error for o in summary.failed]
    yield store
    store.close()


@pytest.fixture(scope="module")
def open_url(store):
    """No token configured: writes are off."""
    with serve(create_app(store, token=None, query_timeout=10)) as url:
        yield url


@pytest.fixture(scope="module")
def token_url(store):
    """A token configured, and a short time limit for the runaway query."""
    with serve(create_app(store, token=TOKEN, query_timeout=RUNAWAY_TIMEOUT)) as url:
        yield url


def snapshot(store) -> tuple[list[str], int]:
    return store.graphs(), triple_count(store)


# --- a short schemathesis run ---------------------------------------------------------------

class SpecOnly(Store):
    """create_app needs a store, but building the OpenAPI description queries none."""

    location = "spec-only"

    def select(self, query, bindings=None):
        raise NotImplementedError

    def construct(self, query):
        raise NotImplementedError

    def update(self, update):
        raise NotImplementedError

    def graphs(self):
        raise NotImplementedError


# SPARQL bodies are text (schemathesis has no serializer of its own for these media types).
schemathesis.serializer.alias(["application/sparql-query", "application/sparql-update"], "text/plain")
# The description as the servers below publish it (project queries/, no token configured).
schema = schemathesis.openapi.from_dict(create_app(SpecOnly()).openapi(),
                                        config=schemathesis.Config.from_str(SCHEMATHESIS_CONFIG))


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_schemathesis(case, open_url):
    """Every operation: no 5xx; status, content type, headers and body as declared; valid data
    accepted and invalid data refused (see SCHEMATHESIS_CONFIG)."""
    response = case.call_and_validate(base_url=open_url, timeout=30)
    assert response.status_code < 500


# --- writes: 403 while no token is configured, 401 without the right one -----------------------

def write_attempts(url: str, headers: dict) -> dict[str, httpx.Response]:
    """Every way to ask for a write: UPDATE as a form field, as the body, in the URL (GET and
    POST), and an upload to POST /reports."""
    report = {"file": ("report.txt", "云溪市2025年政府工作报告\n一、工作回顾\n".encode(), "text/plain")}
    with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
        return {
            "form update=": client.post("/sparql", data={"update": INSERT}),
            "application/sparql-update": client.post("/sparql", content=INSERT.encode(),
                                                     headers={"Content-Type": "application/sparql-update"}),
            "GET ?update=": client.get("/sparql", params={"update": INSERT}),
            "POST ?update=": client.post("/sparql?update=" + quote(INSERT), data={"query": SIMPLE}),
            "POST /reports": client.post("/reports", files=report, data={"year": "2025"}),
        }


@pytest.mark.parametrize("header", [None, f"Bearer {TOKEN}", "Bearer wrong"])
def test_writes_are_403_without_a_configured_token(open_url, store, header):
    before = snapshot(store)
    answers = write_attempts(open_url, {"Authorization": header} if header else {})
    for way, response in answers.items():
        assert response.status_code == 403, (way, response.text)
        assert "POLICY_KG_TOKEN" in response.json()["detail"], way
    assert snapshot(store) == before


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x",
                                    f"Token {TOKEN}"])
def test_writes_are_401_without_the_right_token(token_url, store, header):
    before = snapshot(store)
    answers = write_attempts(token_url, {"Authorization": header} if header else {})
    for way, response in answers.items():
        assert response.status_code == 401, (way, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer"), way
    assert snapshot(store) == before


def test_the_right_token_writes(token_url, store):
    """The 401s above are not all there is: with the token the update goes through."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(token_url + "/sparql", data={"update": INSERT}, headers=auth).status_code == 204
    assert "urn:test:fuzz" in store.graphs()
    assert httpx.post(token_url + "/sparql", content=b"DROP GRAPH <urn:test:fuzz>",
                      headers={**auth, "Content-Type": "application/sparql-update"}).status_code == 204
    assert "urn:test:fuzz" not in store.graphs()
    in_url = httpx.get(token_url + "/sparql", params={"update": "DROP ALL"}, headers=auth)
    assert in_url.status_code == 400 and triple_count(store) > 0  # updates only in a POST body


# --- oversized bodies: 413 ------------------------------------------------------------------

def post_big(url: str, path: str, **kwargs) -> int:
    try:
        return httpx.post(url + path, timeout=60, **kwargs).status_code
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        # The server answered 413 and closed while the client was still sending: httpx reports
        # the broken pipe instead. The raw-socket tests below read the answer itself.
        return 413


def test_oversized_bodies_are_413(token_url, store):
    before = snapshot(store)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    big_query = "ASK {} #" + "x" * BIG
    assert post_big(token_url, "/sparql", data={"query": big_query}) == 413
    assert post_big(token_url, "/sparql", content=big_query.encode(),
                    headers={"Content-Type": "application/sparql-query"}) == 413
    assert post_big(token_url, "/sparql", content=big_query.replace("ASK {}", "CLEAR ALL").encode(),
                    headers={**auth, "Content-Type": "application/sparql-update"}) == 413
    big_file = {"file": ("big.txt", b"x" * BIG, "text/plain")}
    assert post_big(token_url, "/reports", files=big_file, headers=auth) == 413
    assert post_big(token_url, "/reports", files=big_file) == 413
    # Under the body limit but over what the SPARQL endpoint takes.
    long_query = "ASK {} #" + "x" * MAX_QUERY_CHARS
    response = httpx.post(token_url + "/sparql", data={"query": long_query}, timeout=30)
    assert response.status_code == 413 and "too long" in response.json()["detail"]
    assert snapshot(store) == before


def raw_request(url: str, head: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.sendall(head.encode("latin-1"))
    return sock


def read_status(sock: socket.socket) -> str:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def test_413_before_the_body_is_sent(token_url):
    """By Content-Length: refused at once, without waiting for (or reading) the body."""
    host = urlsplit(token_url).netloc
    sock = raw_request(token_url, f"POST /reports HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
                                  f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {BIG}\r\n\r\n")
    with sock:
        sock.sendall(b"--b\r\n" + b"x" * 1000)  # a thousand bytes of twenty million
        assert read_status(sock).startswith("HTTP/1.1 413")


def test_413_while_a_chunked_body_is_read(token_url):
    """No Content-Length: the server counts while it reads and stops at the limit, long before
    twenty megabytes have been sent."""
    host = urlsplit(token_url).netloc
    sock = raw_request(token_url, f"POST /sparql HTTP/1.1\r\nHost: {host}\r\n"
                                  "Content-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"#" * 65536
    sent = 0
    with sock:
        sock.settimeout(30)
        while sent < BIG:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        assert read_status(sock).startswith("HTTP/1.1 413")
    assert sent < BIG


# --- a runaway query stops at its time limit; the server keeps answering -------------------

def test_runaway_query_times_out_while_the_server_answers(token_url):
    outcome = {}

    def runaway():
        start = time.monotonic()
        response = httpx.post(token_url + "/sparql", data={"query": RUNAWAY}, timeout=60)
        outcome["runaway"] = (response, time.monotonic() - start)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    quick = httpx.get(token_url + "/sparql", params={"query": SIMPLE}, timeout=10)
    lookup = httpx.get(token_url + "/agencies", params={"limit": 2}, timeout=10)
    quick_seconds = time.monotonic() - start
    thread.join(30)
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert lookup.status_code == 200 and lookup.json()["total"] > 0
    assert quick_seconds < RUNAWAY_TIMEOUT + 0.5
    response, seconds = outcome["runaway"]
    assert response.status_code == 504, response.text
    assert "timed out" in response.json()["detail"]
    assert RUNAWAY_TIMEOUT <= seconds < RUNAWAY_TIMEOUT + 2
    after = httpx.get(token_url + "/sparql", params={"query": SIMPLE}, timeout=10)
    assert after.status_code == 200  # still answering while the engine grinds on


def test_runaway_client_queries_cannot_take_every_slot():
    """Client-written SPARQL (user=True) that runs on past its time limit keeps at most
    max_user_workers slots: the lookups and pages still get one."""

    class Nothing:
        pass

    runner = Runner(Nothing(), timeout=0.2, max_workers=2, max_user_workers=1)  # type: ignore[arg-type]

    async def scenario():
        with pytest.raises(HTTPException) as first:
            await runner.call(time.sleep, 1.0, user=True)
        assert first.value.status_code == 504
        with pytest.raises(HTTPException) as second:  # the user slot is still taken
            await runner.call(time.sleep, 1.0, user=True)
        assert second.value.status_code == 503
        assert await runner.call(lambda: "lookup") == "lookup"

    asyncio.run(scenario())
    time.sleep(1.0)  # let the sleeper finish


# --- queries that would overflow the engine's stack ---------------------------------------

def test_deep_and_long_queries_do_not_kill_the_server(open_url):
    """A few kilobytes of nesting or repetition overflow an 8 MB stack and kill the process;
    the query threads' large stack and the size limits keep the server alive."""
    cases = {
        # under the limits; twenty kilobytes of "!" are fatal on a default 8 MB stack
        "long ! chain": ("ASK { FILTER(" + "!" * 40000 + "true) }", {200}),
        "long UNION chain": ("SELECT (COUNT(*) AS ?n) WHERE { " + "UNION".join(["{}"] * 2048) + " }", {200}),
        "long BIND chain": ("SELECT * WHERE { " + " ".join(f"BIND({i} AS ?x{i})" for i in range(1500)) + " }", {200}),
        # refused before they reach the engine
        "deep braces": ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, {400}),
        "deep parentheses": ("ASK { FILTER(" + "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1) + ") }", {400}),
        "too long": ("ASK {} #" + "x" * MAX_QUERY_CHARS, {413}),
    }
    with httpx.Client(base_url=open_url, timeout=60) as client:
        for name, (query, statuses) in cases.items():
            response = client.post("/sparql", data={"query": query})
            assert response.status_code in statuses, (name, response.status_code, response.text[:300])
            assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200, name


# --- no requests to other servers (SERVICE) -------------------------------------------------

def test_federated_queries_are_refused(open_url):
    """The engine would send a SERVICE clause's request to any host and port the client names."""
    with listener() as (sock, port):
        target = f"http://127.0.0.1:{port}/sparql"
        queries = [f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                   f"SELECT * WHERE {{ sErViCe SILENT <{target}> {{ ?s ?p ?o }} }}",
                   f"SELECT * WHERE {{ ?x ?y ?z . SERVICE<{target}>{{ ?s ?p ?o }} }}",
                   f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
                   f"PREFIX e: <{target}#>\nASK {{ # comment\r SERVICE e: {{ ?s ?p ?o }} }}"]
        for query in queries:
            for response in (httpx.get(open_url + "/sparql", params={"query": query}, timeout=10),
                             httpx.post(open_url + "/sparql", data={"query": query}, timeout=10)):
                assert response.status_code == 400, (query, response.text)
                assert "SERVICE" in response.json()["detail"]
        with pytest.raises(socket.timeout):
            sock.accept()  # nobody called


# --- no path traversal ----------------------------------------------------------------------

def raw_get(url: str, target: str) -> tuple[int, str]:
    """GET with the target sent exactly as written (httpx would resolve the dot segments)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        conn.close()


TRAVERSALS = [
    "/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/id/..%2F..%2F..%2Fetc%2Fpasswd",
    "/id/%2e%2e%2f%2e%2e%2fpyproject.toml", "/id/....//....//etc/passwd", "/id/..\\..\\pyproject.toml",
    "/export?format=../../x", "/export?format=..%2F..%2Fetc%2Fpasswd", "/export?view=../../../etc/passwd",
    "/queries/..%2F..%2Fetc%2Fpasswd", "/queries/../../pyproject", "/queries/../pyproject.toml",
    "/queries/%2e%2e/%2e%2e/pyproject", "/queries/..%2Fpyproject", "/queries/targets/../../pyproject.toml",
    "/queries/%2e%2e%2fREADME", "/queries/....//README.md", "/../../etc/passwd", "/..%2F..%2Fetc%2Fpasswd",
    "/%2e%2e/%2e%2e/etc/passwd", "/docs/../../pyproject.toml", "/static/../../etc/passwd",
    "/agencies/..%2F..%2Fetc%2Fpasswd", "/documents/../../etc/passwd", "/regions/%2e%2e%2f%2e%2e%2fpasswd",
]


SECRETS = ("root:x:0:0", "[project]", "[build-system]", "# policy-kg")


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal(open_url, target):
    status, body = raw_get(open_url, target)
    assert status in (400, 404, 405, 422), (status, body[:300])
    assert not any(secret in body for secret in SECRETS)


def test_export_takes_no_file_parameters(open_url):
    status, body = raw_get(open_url, "/export?format=gexf&output=/etc/passwd&path=../../pyproject.toml"
                                     "&file=/etc/passwd")
    assert status == 200 and "<gexf" in body  # unknown parameters are ignored: the server picks the file
    assert not any(secret in body for secret in SECRETS)


def test_upload_file_names_never_become_paths(token_url, store, tmp_path):
    target = tmp_path / "evil"
    name = f"../../../../../../..{target}.txt"
    text = (EXAMPLES / "haibin-sfj-2025.txt").read_bytes()
    response = httpx.post(token_url + "/reports", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120,
                          files={"file": (name, text, "text/plain")}, data={"year": "2025"})
    assert response.status_code in (201, 422), response.text
    assert response.json()["meta"]["id"] == "evil"
    assert not list(tmp_path.iterdir())
    store.drop_graph("https://w3id.org/policy-kg/id/graph/evil")


def test_named_queries_come_only_from_their_folder(store, tmp_path):
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "one.rq").write_text("#+ summary: One.\nASK { ?s ?p ?o }\n", encoding="utf-8")
    (tmp_path / "secret.rq").write_text("#+ summary: Not published.\nASK {}\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ASK {}\n", encoding="utf-8")
    with serve(create_app(store, queries_dir=folder)) as url:
        listing = httpx.get(url + "/queries").json()
        assert [q["name"] for q in listing] == ["one"]
        assert httpx.get(url + "/queries/one").status_code == 200
        for target in ("/queries/secret", "/queries/notes", "/queries/notes.txt", "/queries/..%2Fsecret",
                       "/queries/../secret", "/queries/%2e%2e/secret", "/queries/one/../../secret",
                       f"/queries/{quote(str(tmp_path / 'secret'), safe='')}"):
            status, body = raw_get(url, target)
            assert status == 404, (target, status)
            assert "Not published" not in body


def test_405_names_every_method_of_the_path(open_url):
    for method in ("OPTIONS", "DELETE", "PUT"):
        response = httpx.request(method, open_url + "/sparql")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
    assert httpx.delete(open_url + "/reports").headers["allow"] == "POST"
