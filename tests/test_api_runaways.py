"""The server never falls: runaway queries really stop, a memory bomb fails alone, exports
are bounded, and writers racing on one report id leave one whole report (real uvicorn).
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest

from api.app import create_app
from kg.store import open_store

from .api_fixtures import TOKEN, module_store, serve
from .conftest import EXAMPLES

JSON = {"Accept": "application/sparql-results+json"}
TIMEOUT = 1.5
# Each BIND doubles a string: 72 bytes * 2**30 = 72 GB asked of a 1 KB query.
BOMB = ('SELECT (STRLEN(?v30) AS ?n) WHERE { BIND("' + "x" * 72 + '" AS ?v0) '
        + " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(30)) + " }")
# A cross product over every quad, four times over: hours of work for the engine.
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } "
           "GRAPH ?i { ?x ?y ?z } GRAPH ?j { ?k ?l ?m } }")
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def workers_of(pid: int) -> list[psutil.Process]:
    return [child for child in psutil.Process(pid).children(recursive=True)
            if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]


store = module_store("runaways")


@pytest.fixture(scope="module")
def server(store):
    app = create_app(store, token=TOKEN, query_timeout=TIMEOUT, query_memory=512, workers=8,
                     max_exports=2)
    with serve(app) as url:
        yield url, app


def count(client: httpx.Client, url: str) -> int:
    r = client.get(url + "/sparql", params={"query": COUNT_ALL}, headers=JSON)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_four_runaways_stop_at_their_deadline_and_the_endpoint_answers_a_second_later(server):
    url, app = server
    pool = app.state.runner.user_pool  # client SPARQL runs in its own (lower-priority) workers
    with httpx.Client(timeout=30) as client:
        expected = count(client, url)
        killed = pool.killed
        with ThreadPoolExecutor(4) as threads:
            started = time.monotonic()
            answers = list(threads.map(lambda _: client.get(url + "/sparql", params={"query": RUNAWAY},
                                                            headers=JSON), range(4)))
            took = time.monotonic() - started
        assert [r.status_code for r in answers] == [504] * 4, [r.text for r in answers]
        assert took < TIMEOUT + 3
        assert pool.killed >= killed + 4  # each runaway's worker was killed, not left running
        time.sleep(1.0)
        started = time.monotonic()
        for _ in range(5):  # the user slots the runaways held are free again
            assert count(client, url) == expected
        assert time.monotonic() - started < 2.0
    # no worker process is left busy with a runaway: they were killed and reaped
    time.sleep(0.5)
    busy = [p for p in workers_of(psutil.Process().pid) if p.cpu_percent(interval=0.2) > 50]
    assert not busy, busy


def test_a_memory_bomb_fails_alone_and_the_server_stays_up(store):
    app = create_app(store, token=None, query_timeout=60, query_memory=512)
    with serve(app) as url, httpx.Client(timeout=90) as client:
        expected = count(client, url)
        r = client.get(url + "/sparql", params={"query": BOMB}, headers=JSON)
        assert r.status_code == 503, r.text
        assert "memory" in r.json()["detail"]
        assert count(client, url) == expected  # the server (and the other workers) live on
    rss = psutil.Process().memory_info().rss
    assert rss < 2 * 2**30  # the bomb's gigabytes were never in the server's process


def test_runaways_mixed_with_lookups_leave_lookups_answered(server):
    url, _ = server
    statuses: list[int] = []

    def runaway() -> None:
        with httpx.Client(timeout=30) as client:
            statuses.append(client.get(url + "/sparql", params={"query": RUNAWAY}, headers=JSON).status_code)

    threads = [threading.Thread(target=runaway) for _ in range(6)]
    for thread in threads:
        thread.start()
    times = []
    with httpx.Client(timeout=30) as client:
        for _ in range(30):
            started = time.monotonic()
            r = client.get(url + "/agencies", params={"q": "司法"})
            times.append(time.monotonic() - started)
            assert r.status_code == 200, r.text
    for thread in threads:
        thread.join()
    assert set(statuses) <= {503, 504}, statuses
    assert sorted(times)[len(times) // 2] < 0.5


def test_exports_are_bounded_and_give_their_memory_back(server):
    url, app = server
    runner = app.state.runner
    before = {p.pid for p in workers_of(psutil.Process().pid)}
    with httpx.Client(timeout=60) as client, ThreadPoolExecutor(8) as threads:
        answers = list(threads.map(lambda _: client.get(url + "/export", params={"format": "gexf"}), range(8)))
        lookup = client.get(url + "/agencies", params={"q": "司法"})
    assert lookup.status_code == 200
    assert {r.status_code for r in answers} <= {200, 503}
    assert any(r.status_code == 200 for r in answers)
    assert all(r.content.startswith(b"<?xml") for r in answers if r.status_code == 200)
    assert runner.export_pool.started >= 1
    time.sleep(0.5)
    after = {p.pid for p in workers_of(psutil.Process().pid)}
    kept = {pid for pool in (runner.pool, runner.user_pool) for pid in pool.pids()}
    assert not (after - before) - kept  # export processes are gone


def test_an_export_past_its_time_limit_is_stopped(store):
    app = create_app(store, token=None, export_timeout=0.05)
    with serve(app) as url, httpx.Client(timeout=30) as client:
        r = client.get(url + "/export", params={"format": "gexf"})
        assert r.status_code == 504, r.text
        assert client.get(url + "/agencies", params={"q": "司法"}).status_code == 200
        assert app.state.runner.export_pool.killed == 1


def _post(client: httpx.Client, url: str, name: str):
    return client.post(url + "/reports", headers={"Authorization": f"Bearer {TOKEN}"},
                       files={"file": (name, (EXAMPLES / name).read_bytes())},
                       data={"id": "raced-report", "year": "2025"})


def test_racing_uploads_of_one_new_id_leave_one_whole_report(tmp_path):
    names = ["haibin-sfj-2025.txt", "yunxi-gzbg-2025.txt"]
    graph = "https://w3id.org/policy-kg/id/graph/raced-report"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    titles = ("SELECT ?t WHERE { GRAPH <" + graph + "> { ?r a <https://w3id.org/policy-kg/ontology#Report> ; "
              "<http://purl.org/dc/terms/title> ?t } }")
    alone = {}
    for name in names:  # each report's size when it is the only writer
        db = open_store(tmp_path / f"alone-{name}")
        app = create_app(db, token=TOKEN)
        with serve(app) as url, httpx.Client(timeout=120) as client:
            assert _post(client, url, name).status_code == 201
            alone[name] = count_graph(client, url, query)
        db.close()
    assert len(set(alone.values())) == 2
    for trial in range(3):
        db = open_store(tmp_path / f"race-{trial}")
        app = create_app(db, token=TOKEN)
        with serve(app) as url, httpx.Client(timeout=120) as client, ThreadPoolExecutor(4) as threads:
            answers = list(threads.map(lambda i: _post(client, url, names[i % 2]), range(4)))
            assert [r.status_code for r in answers] == [201] * 4, [r.text for r in answers]
            assert count_graph(client, url, query) in alone.values()
            r = client.get(url + "/sparql", params={"query": titles}, headers=JSON)
            assert len(r.json()["results"]["bindings"]) == 1
        db.close()


def count_graph(client: httpx.Client, url: str, query: str) -> int:
    r = client.get(url + "/sparql", params={"query": query}, headers=JSON)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_an_idle_worker_that_died_is_not_given_the_next_query(server):
    """A worker killed while idle (by the kernel's OOM killer, an operator) is not given the next
    query once its end shows (the forkserver has reaped it): that query runs in a new worker."""
    import os
    import signal

    url, app = server
    pool = app.state.runner.pool
    with httpx.Client(timeout=30) as client:
        assert client.get(url + "/queries/documents", headers=JSON).status_code == 200
        idle = pool.pids()
        assert idle
        started = pool.started
        for pid in idle:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while set(idle) & set(pool.pids()) and time.monotonic() < deadline:
            time.sleep(0.01)
        for _ in range(3):
            answer = client.get(url + "/queries/documents", headers=JSON)
            assert answer.status_code == 200, answer.text
    assert pool.started > started
    assert not set(idle) & set(pool.pids())


def _own_pid(store):
    import os

    return os.getpid()


def test_a_job_a_dead_worker_could_not_take_goes_to_another(store, monkeypatch):
    """Between a worker's end and the moment it shows, the pool may still hand it a job: when
    the job cannot even be sent (the worker's end of the pipe is closed), another worker runs
    it, and the caller never sees the dead one."""
    import asyncio
    import os
    import signal

    from api.workers import ProcessPool, Worker, WorkerConfig

    async def scenario():
        pool = ProcessPool(WorkerConfig(str(store.location), snapshots=False), keep=2)
        try:
            first = await pool.run(_own_pid, timeout=30)
            os.kill(first, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while psutil.pid_exists(first) and time.monotonic() < deadline:  # until reaped: its pipe closed
                time.sleep(0.01)
            monkeypatch.setattr(Worker, "alive", lambda self: True)  # its end not noticed yet
            second = await pool.run(_own_pid, timeout=30)
            return first, second, pool.killed, pool.started
        finally:
            pool.close()

    first, second, killed, started = asyncio.run(scenario())
    assert second != first and killed == 1 and started == 2
