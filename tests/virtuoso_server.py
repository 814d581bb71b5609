"""A real Virtuoso (Debian's virtuoso-opensource) on 127.0.0.1 for tests of the remote-store path.

``virtuoso_server(folder)`` writes a minimal virtuoso.ini into ``folder`` (the database lives
there), starts ``virtuoso-t`` in the foreground on two free ports (SQL and HTTP), lets the
anonymous SPARQL user update (``SPARQL_UPDATE``, graph write permission) and yields the base URL:
``/sparql`` is the SPARQL 1.1 Protocol endpoint, ``/sparql-graph-crud`` the Graph Store.
Skips the test with the reason where Virtuoso is not installed or does not start.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from .oxigraph_server import free_port

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
VSP = Path("/var/lib/virtuoso-opensource-7/vsp")

INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60
MaxSortedTopRows = 1000000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {vsp}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def virtuoso_missing() -> str:
    """Why Virtuoso cannot run here ("" when it can)."""
    for binary in (VIRTUOSO, ISQL):
        if shutil.which(binary) is None:
            return f"`{binary}` not found: apt-get install virtuoso-opensource"
    return ""


@contextmanager
def virtuoso_server(folder: Path, start_timeout: float = 120.0):
    import pytest

    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(dir=folder, sql=sql, http=http, vsp=VSP), encoding="utf-8")
    log = (folder / "stdout.log").open("wb")
    proc = subprocess.Popen([VIRTUOSO, "-f", "-c", str(folder / "virtuoso.ini")], cwd=folder,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http}"
    try:
        deadline = time.time() + start_timeout
        while True:
            try:
                if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                tail = (folder / "stdout.log").read_text(errors="replace")[-500:]
                pytest.skip(f"Virtuoso did not start: {tail}")
            time.sleep(0.3)
        grant = ('grant SPARQL_UPDATE to "SPARQL"; '
                 "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
        done = subprocess.run([ISQL, str(sql), "dba", "dba", f"exec={grant}"], capture_output=True, timeout=60)
        if done.returncode != 0:
            pytest.skip(f"Virtuoso refused the grants: {done.stderr.decode(errors='replace')[:300]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
