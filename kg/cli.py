"""The ``kg`` command line: ingest, query, extract, validate, stats, serve, demo.

Errors are one line on stderr (``kg: error: …``) and a non-zero exit status, never a traceback.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="policy-kg: a knowledge graph of Chinese government reports.")
out = Console()
err = Console(stderr=True)

STORE_HELP = "The store: a folder (embedded Oxigraph) or the URL of a SPARQL 1.1 endpoint."


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]kg: error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


WAIT_HELP = "Seconds to wait while another process has the store (an ingest, a server)."
EXECUTOR_HELP = "Where extraction runs: local (--jobs processes here) or dask (a Dask cluster)."
SCHEDULER_HELP = ("The Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask; without it "
                  "a local cluster of --jobs workers is started).")


def _open(store: str, read_only: bool = False, wait: float = 0.0):
    from kg.store import StoreError, open_reader, open_store

    def waiting(message: str) -> None:
        err.print(message, highlight=False, soft_wrap=True)

    if not store.startswith(("http://", "https://")):
        folder = Path(store).expanduser().resolve()  # "." and ".." name the folder they stand for
        if not folder.name:
            fail(f"--store {store}: a store is a folder of its own, not the root {folder}")
        store = str(folder)
    try:
        if read_only:  # readers never wait for a writer that has published a snapshot
            return open_reader(store, wait=wait, on_wait=waiting)
        return open_store(store, wait=wait, on_wait=waiting)
    except StoreError as e:
        fail(str(e))


def _open_snapshots(store: str):
    from kg.store import StoreError, open_snapshots

    try:
        return open_snapshots(store, wait=30.0, on_wait=lambda m: err.print(m, highlight=False, soft_wrap=True))
    except StoreError as e:
        fail(str(e))


def _load_vocabulary(db) -> None:
    """Put the ontology and the SKOS schemes into their graph (kg.graph.vocabulary); a store that
    refuses is named in one line and the command goes on."""
    from kg.store import StoreError
    from kg.graph.vocabulary import load_vocabulary

    try:
        load_vocabulary(db)
    except (StoreError, ValueError) as e:
        err.print(f"vocabulary not loaded: {e}", highlight=False, soft_wrap=True)


def _say_if_vocabulary_is_stale(db) -> None:
    """One line when a store served read-only lacks the current vocabulary graph."""
    from kg.store import StoreError
    from kg.graph.vocabulary import stored_hash, vocabulary_hash

    try:
        if stored_hash(db) != vocabulary_hash():
            err.print("note: the store does not hold the current ontology/*.ttl (run `kg ingest` to load it); "
                      "the vocabulary's pages are answered from the files meanwhile", highlight=False, soft_wrap=True)
    except (StoreError, OSError):
        pass


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Report files or folders (a folder's manifest.csv gives metadata)."),
    store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
    shacl: bool = typer.Option(True, "--shacl/--no-shacl", help="Validate each report's graph before storing it."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    wait: float = typer.Option(300.0, "--wait", help=WAIT_HELP),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes (extract and validate in parallel; one writer)."),
    executor: str = typer.Option("local", "--executor", help=EXECUTOR_HELP),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
) -> None:
    """Ingest reports: extract, validate with SHACL and store one named graph per report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.authority import authority_note
    from kg.ingest import ingest_paths
    from kg.limits import BadSetting, Budget

    note = authority_note()
    if note:
        err.print(f"note: {note}", highlight=False, soft_wrap=True)
    try:
        Budget.from_env()  # a bad limit setting is said once, before any work
    except BadSetting as e:
        fail(str(e))
    db = _open(store, wait=wait)
    progress = Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.fields[name]}"), console=err, disable=quiet or not err.is_terminal,
                        transient=True)
    with progress, db:
        task = progress.add_task("ingest", total=None, name="")

        def started(total: int) -> None:
            progress.update(task, total=total)

        def done(outcome) -> None:
            progress.update(task, advance=1, name=Path(outcome.source).name)
            if outcome.error:
                progress.console.print(f"[red]failed:[/red] {outcome.error}", highlight=False, soft_wrap=True)
                for line in outcome.violations[:5]:
                    progress.console.print(f"    {line}", highlight=False, soft_wrap=True)

        if jobs > 1 or executor != "local" or scheduler:
            summary = _run_batch(paths, db, jobs, executor, scheduler, shacl=shacl, on_start=started, on_done=done)
        else:
            summary = ingest_paths(paths, db, shacl=shacl, on_start=started, on_done=done)
        _load_vocabulary(db)
    _batch_report(summary)


def _run_batch(paths, sink, jobs: int, executor: str, scheduler: Optional[str], **kwargs):
    """The batch ingest (kg.parallel) on the chosen executor; a start failure is one line."""
    from kg.executors import ExecutorError, open_executor
    from kg.parallel import ingest_paths_parallel

    try:
        with open_executor(executor, jobs, scheduler) as runner:
            return ingest_paths_parallel(paths, sink, jobs=jobs, executor=runner, **kwargs)
    except ExecutorError as e:
        fail(str(e))


def _batch_report(summary, what: str = "stored") -> None:
    """The failures and the count line of a batch (kg ingest, kg extract-all)."""
    for line in summary.errors:
        err.print(f"[red]failed:[/red] {line}", highlight=False, soft_wrap=True)
    err.print(f"{len(summary.stored)} reports {what}, {len(summary.failed)} failed, "
              f"{summary.triples} triples, {summary.violations} SHACL violations"
              + (f", {len(summary.errors)} manifest problems" if summary.errors else ""), highlight=False)
    if not summary.outcomes and not summary.errors:
        fail("no report files found (.txt, .html, .htm, .md)")
    if not summary.ok:
        raise typer.Exit(2 if summary.stored else 1)


@app.command("extract-all")
def extract_all(
    paths: list[Path] = typer.Argument(..., help="Report files or folders (a folder's manifest.csv gives metadata)."),
    output: Path = typer.Option(..., "--output", "-o", help="A new or empty folder for the N-Quads shards."),
    shacl: bool = typer.Option(True, "--shacl/--no-shacl", help="Validate each report's graph; only valid ones are written."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes (or Dask workers of a local cluster)."),
    executor: str = typer.Option("local", "--executor", help=EXECUTOR_HELP),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
) -> None:
    """Extract reports into N-Quads shards (part-NNNNN.nq) for bulk loaders; no store."""
    from kg.shards import ShardError, ShardWriter

    try:
        writer = ShardWriter(output)
    except ShardError as e:
        fail(str(e))

    def done(outcome) -> None:
        if outcome.error:
            err.print(f"[red]failed:[/red] {outcome.error}", highlight=False, soft_wrap=True)

    summary = _run_batch(paths, writer, jobs, executor, scheduler, shacl=shacl, on_done=done)
    err.print(f"{writer.count} shards, {writer.quads} quads in {output}", highlight=False)
    _batch_report(summary, "written")


@app.command()
def load(
    folder: Path = typer.Argument(..., help="A folder of N-Quads shards (kg extract-all), or one .nq file."),
    store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
    graph_store: Optional[str] = typer.Option(None, "--graph-store", help=(
        "A SPARQL 1.1 Graph Store Protocol URL to PUT each named graph to (Virtuoso: "
        "http://host:8890/sparql-graph-crud); without it a URL store gets each shard POSTed to its /store "
        "(an Oxigraph server).")),
    wait: float = typer.Option(300.0, "--wait", help=WAIT_HELP),
) -> None:
    """Bulk load N-Quads shards into a store (embedded, an Oxigraph server or a Graph Store)."""
    import time

    from kg.shards import ShardError, load_shards
    from kg.store import StoreError

    if graph_store and not store.startswith(("http://", "https://")):
        fail("--graph-store goes with a --store URL")
    db = _open(store, wait=wait)
    started = time.perf_counter()
    try:
        with db:
            loaded = load_shards(folder, db, graph_store)
            seconds = time.perf_counter() - started
            problem = _refresh_progress(db)  # the derived checks (kg.progress) of the loaded reports
    except (ShardError, StoreError) as e:
        fail(str(e))
    err.print(f"{loaded.shards} shards, {loaded.quads} quads loaded in {seconds:.1f} s "
              f"({loaded.quads / max(seconds, 1e-9):,.0f} quads/s)", highlight=False)
    if problem:
        err.print(f"note: {problem}", highlight=False, soft_wrap=True)


def _refresh_progress(db) -> str:
    """Recompute the progress checks of every report in the store (after a bulk load, which
    brings report graphs only); "" or one line saying why not."""
    from kg.progress import refresh_after
    from kg.store import rows

    found = db.select("SELECT DISTINCT ?id WHERE { GRAPH ?g { ?r a <https://w3id.org/policy-kg/ontology#Report> ; "
                      "<http://purl.org/dc/terms/identifier> ?id } }")
    return refresh_after(db, [row["id"] for row in rows(found)])


@app.command()
def query(
    name: str = typer.Argument(..., help="A named query (a file queries/NAME.rq); `kg queries` lists them."),
    store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="json (SPARQL 1.1 results JSON), csv or table."),
    param: list[str] = typer.Option([], "--param", "-p", help="A parameter, key=value; repeatable."),
    wait: float = typer.Option(30.0, "--wait", help=WAIT_HELP),
) -> None:
    """Run a named query."""
    from kg.queries import QueryError, get_query
    from kg.store import StoreError

    if fmt not in ("json", "csv", "table"):
        fail(f"unknown format {fmt!r} (json, csv or table)")
    values = {}
    for item in param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"parameter {item!r} is not key=value")
        values[key.strip()] = value
    try:
        named = get_query(name)
        bindings = named.bindings(values)
    except QueryError as e:
        fail(str(e))
    db = _open(store, read_only=True, wait=wait)
    try:
        with db:
            results = db.select(named.text, bindings)
    except StoreError as e:
        fail(str(e))
    print_results(results, fmt)


def print_results(results: dict, fmt: str) -> None:
    from kg.store import rows

    if "boolean" in results:
        print(json.dumps(results, ensure_ascii=False) if fmt == "json" else str(results["boolean"]).lower())
        return
    names = results.get("head", {}).get("vars", [])
    if fmt == "json":
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for row in rows(results):
            writer.writerow([row.get(n, "") for n in names])
        sys.stdout.write(buffer.getvalue())
    else:
        from rich.table import Table

        table = Table(*names, show_lines=False)
        count = 0
        for row in rows(results):
            table.add_row(*[row.get(n, "") for n in names])
            count += 1
        out.print(table)
        out.print(f"{count} rows", style="dim")


SPARQL_FORMATS = {  # --format of `kg sparql`: the media type asked of the store
    "json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml", "ttl": "text/turtle", "nt": "application/n-triples",
    "nq": "application/n-quads", "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
}
_GRAPH_FORMATS = ("ttl", "nt", "nq", "jsonld", "rdfxml")


@app.command("sparql")
def sparql_command(
    query_text: str = typer.Argument(..., metavar="QUERY",
                                     help="A SPARQL query: its text, a file holding it, or - to read it from stdin."),
    store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
    fmt: str = typer.Option("table", "--format", "-f",
                            help="table, json, csv, tsv or xml for SELECT/ASK; ttl, nt, nq, jsonld or rdfxml "
                                 "for CONSTRUCT/DESCRIBE (table prints those as Turtle)."),
    wait: float = typer.Option(30.0, "--wait", help=WAIT_HELP),
) -> None:
    """Run an ad-hoc SPARQL query (the default graph is every report)."""
    from kg.store import StoreError

    if fmt != "table" and fmt not in SPARQL_FORMATS:
        fail(f"unknown format {fmt!r} (table, {', '.join(SPARQL_FORMATS)})")
    if query_text == "-":
        text = sys.stdin.read()
    elif "\n" not in query_text and len(query_text) < 4096 and Path(query_text).is_file():
        try:
            text = Path(query_text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            fail(f"{query_text}: cannot read the query ({e})")
    else:
        text = query_text
    if not text.strip():
        fail("no query given")
    graph_form = re.search(r"^\s*(CONSTRUCT|DESCRIBE)\b", _strip_prologue(text), re.IGNORECASE) is not None
    if fmt != "table" and graph_form != (fmt in _GRAPH_FORMATS):
        kinds = "ttl, nt, nq, jsonld or rdfxml" if graph_form else "table, json, csv, tsv or xml"
        fail(f"format {fmt!r} does not fit a {'CONSTRUCT/DESCRIBE' if graph_form else 'SELECT/ASK'} query "
             f"(use {kinds})")
    db = _open(store, read_only=True, wait=wait)
    try:
        with db:
            if fmt == "table" and not graph_form:
                results = db.select(text)
            else:
                media = SPARQL_FORMATS["ttl" if fmt == "table" else fmt]
                answer = db.raw_query(text, media)
    except StoreError as e:
        fail(str(e))
    if fmt == "table" and not graph_form:
        print_results(results, "table")
    else:
        sys.stdout.buffer.write(answer.body)
        if not answer.body.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")


def _strip_prologue(text: str) -> str:
    """The query without its leading comments, BASE and PREFIX declarations."""
    prologue = re.compile(r"\s*(?:#[^\n]*|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)", re.IGNORECASE)
    pos = 0
    while (match := prologue.match(text, pos)) and match.end() > pos:
        pos = match.end()
    return text[pos:]


@app.command("index")
def index_command(
    store: str = typer.Option("./data", "--store", "-s", help="The embedded store's folder."),
    wait: float = typer.Option(300.0, "--wait", help=WAIT_HELP),
) -> None:
    """Rebuild the full-text index beside an embedded store (after SPARQL updates or a bulk load)."""
    from kg.store import EmbeddedStore, StoreError

    if store.startswith(("http://", "https://")):
        fail("kg index builds the index of an embedded store (a folder); a remote store is searched by scanning")
    if not Path(store).is_dir():
        fail(f"{store}: no store here (run `kg ingest` first)")
    db = _open(store, wait=wait)
    try:
        with db:
            if not isinstance(db, EmbeddedStore):
                fail(f"{store}: not an embedded store")
            count = db.reindex()
    except StoreError as e:
        fail(str(e))
    err.print(f"indexed the labels and sentences of {count} graphs", highlight=False)


@app.command("search")
def search_command(
    text: str = typer.Argument(..., help="Text to find in labels and evidence sentences (any substring)."),
    store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=10000),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    wait: float = typer.Option(30.0, "--wait", help=WAIT_HELP),
) -> None:
    """Search labels and evidence sentences (the full-text index, else a scan of the store)."""
    from kg.search import PROLOGUE, scan_where
    from kg.store import StoreError, rows

    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r} (table or json)")
    if not text.strip():
        fail("nothing to search for")
    db = _open(store, read_only=True, wait=wait)
    try:
        with db:
            found = db.search(text, limit, 0)
            if found is None:  # no index (a remote store) or a stale one: scan
                data = db.select(PROLOGUE + "SELECT ?s ?kind ?text (MIN(?rank) AS ?r) (SAMPLE(?type) AS ?type_) "
                                 f"(SAMPLE(?report) AS ?report_) WHERE {{ {scan_where(text)} }} "
                                 f"GROUP BY ?s ?kind ?text ORDER BY ?r ?text ?s LIMIT {limit}")
                found = (None, [{"s": r["s"], "kind": r["kind"], "text": r["text"], "type": r.get("type_"),
                                 "report": r.get("report_")} for r in rows(data)], True)
    except StoreError as e:
        fail(str(e))
    total, items, exact = found
    if fmt == "json":
        print(json.dumps({"total": total, "total_is_exact": exact, "items": items}, ensure_ascii=False, indent=1))
        return
    from rich.table import Table

    table = Table("kind", "text", "node", show_lines=False)
    for item in items:
        table.add_row(item["kind"], item["text"][:120], item["s"])
    out.print(table)
    out.print(f"{len(items)} shown" + (f" of {total}{'' if exact else '+'}" if total is not None else ""), style="dim")


@app.command("queries")
def list_queries() -> None:
    """List the named queries with their parameters."""
    from kg.queries import named_queries

    for q in named_queries().values():
        params = ", ".join(f"{p.name}:{p.type}{'' if p.required else '?'}" for p in q.params)
        out.print(f"[bold]{q.name}[/bold]({params})  {q.summary}", highlight=False)


@app.command()
def extract(
    file: Path = typer.Argument(..., help="One report file."),
    fmt: str = typer.Option("ttl", "--format", "-f", help="ttl, jsonld, nt or trig."),
    report_id: Optional[str] = typer.Option(None, "--id", help="Report id (default: the manifest's, or the file name)."),
    year: Optional[int] = typer.Option(None, "--year", help="The year the report covers (default: manifest or title)."),
    shacl: bool = typer.Option(True, "--shacl/--no-shacl", help="Validate the graph; violations go to stderr."),
    explain: bool = typer.Option(False, "--explain", help="Print each document's title, level and the rule that gave it, not the graph."),
) -> None:
    """Extract one report's graph and print it (no store)."""
    from dataclasses import replace

    from kg.authority import default_authority
    from kg.ingest import check
    from kg.limits import BadSetting, LimitExceeded
    from kg.read import ReadError, discover, read_report
    from kg.graph.rdf import bind_prefixes
    from kg.urls import BadURL

    formats = {"ttl": "turtle", "turtle": "turtle", "jsonld": "json-ld", "json-ld": "json-ld", "nt": "nt",
               "trig": "trig"}
    if fmt not in formats:
        fail(f"unknown format {fmt!r} (ttl, jsonld, nt or trig)")
    found, problems = discover([file])
    if not found:
        fail(problems[0] if problems else f"{file}: no such file")
    path, meta = found[0]
    try:
        report = read_report(path, meta if meta is None or year is None else replace(meta, year=year))
        if report_id or year:
            report = replace(report, meta=replace(report.meta, id=report_id or report.meta.id,
                                                  year=year or report.meta.year))
    except ReadError as e:
        fail(str(e))
    if explain:
        from kg.extract.explain import explain_levels

        for line in explain_levels(report, default_authority()):
            print(line)
        return
    try:
        graph, validation = check(report, default_authority(), shacl)
    except (BadURL, LimitExceeded, BadSetting) as e:
        fail(f"{path}: {e}")
    sys.stdout.write(bind_prefixes(graph).serialize(format=formats[fmt]))
    if validation is not None and not validation.conforms:
        for line in validation.violations:
            err.print(line, highlight=False, soft_wrap=True)
        fail(validation.summary())


@app.command("validate")
def validate_store(store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP)) -> None:
    """Validate every graph in a store (reports, progress checks) against the SHACL shapes."""
    from kg.graph.validate import validate
    from kg.graph.vocabulary import VOCABULARY_GRAPH

    db = _open(store, read_only=True)
    bad = 0
    with db:
        graphs = [iri for iri in db.graphs() if iri != VOCABULARY_GRAPH]  # the ontology is no report
        for iri in graphs:
            graph = db.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
            result = validate(graph)
            if result.conforms:
                out.print(f"[green]ok[/green]   {iri} ({len(graph)} triples)", highlight=False)
            else:
                bad += 1
                out.print(f"[red]fail[/red] {iri}: {result.summary()}", highlight=False, soft_wrap=True)
    out.print(f"{len(graphs) - bad} of {len(graphs)} graphs conform")  # report and progress graphs
    if bad:
        raise typer.Exit(1)


@app.command()
def stats(store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
          fmt: str = typer.Option("table", "--format", "-f", help="table or json.")) -> None:
    """Counts: reports, triples, and nodes of each kind."""
    from kg.stats import store_stats

    db = _open(store, read_only=True)
    with db:
        data = store_stats(db)
    if fmt == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return
    from rich.table import Table

    table = Table("what", "count")
    for key, value in data.items():
        table.add_row(key, str(value))
    out.print(table)


@app.command()
def export(
    store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
    fmt: str = typer.Option("gexf", "--format", "-f", help="gexf (1.3), gexf1.2, graphml or csv (nodes.csv + edges.csv)."),
    view: str = typer.Option("all", "--view", help="all, agency-document, agency-initiative, document-document or agency-indicator (targets followed: outcome and year on the edges)."),
    jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", help="Only reports of this region (光明区)."),
    level: Optional[str] = typer.Option(None, "--level", help="Only documents of this level (law or 法律)."),
    year: Optional[int] = typer.Option(None, "--year", help="Only reports of this year."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Only these kinds of node, e.g. agency,document."),
    evidence: bool = typer.Option(False, "--evidence", help="Add the evidence sentences as nodes."),
    output: Path = typer.Option(..., "--output", "-o", help="The file to write (a folder for csv)."),
    excel: bool = typer.Option(False, "--excel", help="csv: start each file with a UTF-8 BOM so Excel shows the Chinese."),
    lang: str = typer.Option("zh", "--lang", help="Language of the level_label and relation_label attributes: zh or en."),
) -> None:
    """Export the graph for Gephi: GEXF with a timeline, GraphML, or the CSV pair.

    Exits 2, writing nothing, when the view and filters select no node."""
    from kg.export import Filters, NothingToExport
    from kg.export import export as run_export
    from kg.store import StoreError

    db = _open(store, read_only=True, wait=30.0)
    try:
        with db:
            written = run_export(db, fmt, output, view=view,
                                 filters=Filters(jurisdiction=jurisdiction, level=level, year=year, kind=kind),
                                 include_evidence=evidence, excel=excel, lang=lang)
    except NothingToExport as e:
        fail(str(e), 2)
    except (ValueError, StoreError) as e:
        fail(str(e))
    for path in written:
        out.print(str(path), highlight=False)


@app.command()
def serve(
    store: str = typer.Option("./data", "--store", "-s", help=STORE_HELP),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    token: Optional[str] = typer.Option(None, "--token", envvar="POLICY_KG_TOKEN",
                                        help="Bearer token that allows SPARQL UPDATE and POST /reports."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=64,
                                help="Server processes answering HTTP (more cores); each runs its queries in "
                                     "worker processes of its own. Only for a server that does not write."),
) -> None:
    """Serve the SPARQL endpoint, named queries and lookups over HTTP."""
    import os

    import uvicorn

    from api.app import create_app

    if workers > 1:
        if token:
            fail("--workers serves read-only: a server with a --token writes the store, and one process "
                 "at a time may (serve writes with one worker, or ingest with kg ingest meanwhile)")
        if not store.startswith(("http://", "https://")):
            _open_snapshots(store).close()  # publish a snapshot now if the store needs one
        os.environ["POLICY_KG_STORE"] = store
        os.environ.pop("POLICY_KG_TOKEN", None)
        out.print(f"policy-kg at http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql), "
                  f"{workers} server processes", highlight=False)
        uvicorn.run("api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
        return
    if token or store.startswith(("http://", "https://")):
        db = _open(store)  # the server writes: it holds the store (an ingest waits for it)
        _load_vocabulary(db)
    else:  # the server only reads: published snapshots, so that an ingest may write meanwhile
        db = _open_snapshots(store)
        _say_if_vocabulary_is_stale(db)
    application = create_app(db, token=token)
    out.print(f"policy-kg at http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql)", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def demo(
    store: str = typer.Option("./data/demo", "--store", "-s", help="Where the demo store goes."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    serve_it: bool = typer.Option(True, "--serve/--no-serve", help="Serve the endpoint after ingesting."),
) -> None:
    """Ingest the bundled examples/, validate them and serve a SPARQL endpoint."""
    from kg.ingest import ingest_paths
    from kg.queries import project_dir
    from kg.stats import store_stats

    examples = project_dir() / "examples"
    if not examples.is_dir():
        fail(f"{examples}: no examples folder")
    db = _open(store)
    with db:
        summary = ingest_paths([examples], db)
        _load_vocabulary(db)
        for outcome in summary.failed:
            err.print(f"failed: {outcome.error}", highlight=False)
        data = store_stats(db)
    if not summary.stored or not summary.ok:
        fail("the examples did not ingest cleanly")
    out.print(f"ingested {len(summary.stored)} example reports into {store}: {data['triples']} triples, "
              f"all valid against the SHACL shapes", highlight=False, soft_wrap=True)
    url = f"http://{host}:{port}"
    out.print(f"try:  curl '{url}/queries/targets'   or   kg query documents --store {store}", highlight=False,
              soft_wrap=True)
    if serve_it:
        serve(store=store, host=host, port=port, token=None)


def main() -> None:
    """The ``kg`` entry point: any unexpected error is one line, not a traceback."""
    import os

    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("kg: interrupted")
        sys.exit(130)
    except Exception as e:  # noqa: BLE001
        if os.environ.get("POLICY_KG_DEBUG"):
            raise
        text = str(e).strip().splitlines()[0] if str(e).strip() else ""
        err.print(f"kg: error: {type(e).__name__}: {text}", highlight=False, markup=False)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
