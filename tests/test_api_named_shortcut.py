"""The named queries' shortcut (api.named.NamedQueryShortcut): well-formed GETs of
/queries/{name} are answered before FastAPI's routing, with the routes' own answers; every
other request reaches the routes."""
from __future__ import annotations

from contextlib import ExitStack

import httpx
import pytest

from api.app import create_app
from api.named import NamedQueryShortcut

from .api_fixtures import AGENCY, SENTENCE_TEXT, TOKEN, free_port, module_store, serve, write_queries

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")

store = module_store("shortcut")

# Headers that differ between any two answers (the clock, the connection).
_VARYING = {"date", "server", "connection", "keep-alive"}


def without_shortcut(app):
    """The same app with the shortcut taken out (before its middleware stack is built)."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not NamedQueryShortcut]
    return app


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory):
    return write_queries(tmp_path_factory.mktemp("queries"))


@pytest.fixture(scope="module")
def pair(store, queries_dir):
    """Clients of two servers over one store: with the shortcut, and without it."""
    with ExitStack() as stack:
        clients = []
        for app in (create_app(store, token=TOKEN, queries_dir=queries_dir),
                    without_shortcut(create_app(store, token=TOKEN, queries_dir=queries_dir))):
            url = stack.enter_context(serve(app))
            clients.append(stack.enter_context(httpx.Client(base_url=url, timeout=30)))
        yield clients


@pytest.fixture(scope="module")
def project_pair(store):
    """The same, with the project's own queries (parameters that take codes of a scheme)."""
    with ExitStack() as stack:
        clients = []
        for app in (create_app(store, token=TOKEN), without_shortcut(create_app(store, token=TOKEN))):
            url = stack.enter_context(serve(app))
            clients.append(stack.enter_context(httpx.Client(base_url=url, timeout=30)))
        yield clients


def answer(response: httpx.Response):
    """Status, headers and body, the server's own address written as ``SERVER``."""
    base = f"{response.request.url.scheme}://{response.request.url.netloc.decode()}"
    headers = sorted((k, v.replace(base, "SERVER")) for k, v in response.headers.items() if k not in _VARYING)
    return response.status_code, headers, response.content.replace(base.encode(), b"SERVER")


JSON = {"Accept": "application/sparql-results+json"}
REQUESTS = [
    ("/queries/agency_by_name?name=北京市司法局", JSON),
    ("/queries/agency_by_name?name=北京市司法局", {}),
    ("/queries/agency_by_name?name=北京市司法局", {"Accept": "text/csv"}),
    ("/queries/agency_by_name?name=北京市司法局", {"Accept": "text/tab-separated-values"}),
    ("/queries/agency_by_name?name=北京市司法局", {"Accept": "application/sparql-results+xml"}),
    ("/queries/agency_by_name?name=北京市司法局", {"Accept": "text/csv;q=0.5, application/sparql-results+xml"}),
    ("/queries/agency_by_name?name=北京市司法局", {"Accept": "image/png"}),               # 406
    ("/queries/agency_by_name?name=无此机关", JSON),                                       # no rows
    ("/queries/agency_by_name", JSON),                                                   # required: 422
    ("/queries/agency_by_name?name=", JSON),                                             # empty value
    ("/queries/agency_by_name?name=北京市司法局&name=x", JSON),                            # given twice
    ("/queries/agency_by_name?name=北京市司法局&extra=1", JSON),                           # unknown: 400
    ("/queries/agency_by_name?name=%22%20.%20%7D%20%23", JSON),                          # injection attempt
    ("/queries/sentences", JSON),
    ("/queries/sentences?text=" + SENTENCE_TEXT, JSON),
    ("/queries/actions?doc=" + str(AGENCY), JSON),
    ("/queries/actions?doc=not%20an%20iri", JSON),                                       # 400
    ("/queries/describe_node?node=" + str(AGENCY), {}),                                  # CONSTRUCT: Turtle
    ("/queries/describe_node?node=" + str(AGENCY), {"Accept": "application/n-triples"}),
    ("/queries/describe_node?node=" + str(AGENCY), JSON),                                # 406 for a graph
    ("/queries/targets", JSON),
    ("/queries/targets?year=2024", JSON),
    ("/queries/targets?year=02024", JSON),
    ("/queries/targets?year=%2B2024", JSON),                                              # not digits: 422
    ("/queries/targets?year=-0", JSON),
    ("/queries/targets?value=95", JSON),                                                  # decimal: the route
    ("/queries/targets?year=2024.0", JSON),
    ("/queries/nothing_of_that_name", JSON),                                              # 404
    ("/queries/agency_by_name/?name=北京市司法局", JSON),
]


@pytest.mark.parametrize("path,headers", REQUESTS)
def test_the_shortcut_answers_as_the_routes_do(pair, path, headers):
    fast, routed = pair
    assert answer(fast.get(path, headers=headers)) == answer(routed.get(path, headers=headers))


@pytest.mark.parametrize("path", ["/queries/documents?level=law", "/queries/documents?level=Local%20regulation",
                                  "/queries/documents?level=LAW%20", "/queries/documents?level=nowhere",
                                  "/queries/documents", "/queries/documents?report=bj-sfj-2023&level=law"])
def test_the_shortcut_answers_as_the_routes_do_for_the_project_queries(project_pair, path):
    fast, routed = project_pair
    assert answer(fast.get(path, headers=JSON)) == answer(routed.get(path, headers=JSON))


@pytest.mark.parametrize("method", ["HEAD", "POST", "DELETE"])
def test_other_methods_reach_the_routes(pair, method):
    fast, routed = pair
    path = "/queries/agency_by_name?name=北京市司法局"
    assert answer(fast.request(method, path)) == answer(routed.request(method, path))


def test_a_well_formed_request_skips_the_routes_and_any_other_reaches_them(pair, monkeypatch):
    import api.named

    calls = []
    original = api.named.check_strict  # the first thing a route's endpoint does
    monkeypatch.setattr(api.named, "check_strict", lambda *a, **k: (calls.append(1), original(*a, **k))[1])
    fast, _ = pair
    assert fast.get("/queries/agency_by_name?name=北京市司法局", headers=JSON).status_code == 200
    assert fast.get("/queries/targets?year=2024", headers=JSON).status_code == 200
    assert calls == []
    assert fast.get("/queries/agency_by_name?name=北京市司法局&extra=1", headers=JSON).status_code == 400
    assert fast.get("/queries/targets?value=95", headers=JSON).status_code == 200
    assert len(calls) == 2


def test_an_error_of_the_run_is_answered_as_the_routes_answer_it():
    """A store that does not answer (an endpoint nobody listens on): 502 with FastAPI's JSON
    body, from the shortcut as from the route, and the security headers on both."""
    dead = f"http://127.0.0.1:{free_port()}/query"
    with serve(create_app(dead, query_timeout=5)) as fast_url, \
            serve(without_shortcut(create_app(dead, query_timeout=5))) as routed_url:
        path = "/queries/documents?level=law"
        fast = httpx.get(fast_url + path, headers=JSON, timeout=30)
        routed = httpx.get(routed_url + path, headers=JSON, timeout=30)
    assert fast.status_code == 502
    assert fast.json()["detail"].startswith("store error")
    assert answer(fast) == answer(routed)
    assert fast.headers["x-content-type-options"] == "nosniff"
