"""Batch ingest on several cores: workers extract and validate, one writer stores.

    summary = ingest_paths_parallel(["corpus/"], store, jobs=2)

The same contract as :func:`kg.ingest.ingest_paths` (same :class:`~kg.ingest.Summary`, the same
one-line reasons, a bad report never stops the batch, a report id used twice is refused), built
for throughput on big corpora:

* worker processes do read → segment → nlp → facts → resolve → RDF → SHACL and hand back the
  report's graph as N-Triples text; the calling process is the only writer;
* the writer stores the graphs in batches with :meth:`kg.store.EmbeddedStore.bulk_replace`
  (one Oxigraph transaction per batch; every report is still all or nothing, and a batch the
  store refuses is retried report by report so that only the bad one fails). Other stores get
  one SPARQL update per report, as ``replace_graph``;
* nothing grows with the corpus but the outcome list and the set of report ids: folders are
  read from their manifest.csv row by row, and at most a few batches are in flight, so peak
  memory stays flat from a thousand reports to a hundred thousand;
* validation uses the compiled shapes (see :mod:`kg.graph.validate`).

``jobs=1`` runs everything in the calling process (no pool), with the same batched writes;
``executor=`` runs the extraction elsewhere (a Dask cluster: :mod:`kg.executors`) through the same
writer. :func:`extract_report` is the extraction of one report as a function (report + read-only
:class:`Settings` → :class:`ReportResult`: N-Triples/N-Quads and the validation verdict).
``ingest_reports_parallel(reports, store)`` takes :class:`kg.read.Report` objects instead of
files (generated or received reports; they are pickled to the workers).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from kg.authority import Authority, default_authority
from kg.ingest import GraphClaims, Outcome, Summary, recompute_progress
from kg.limits import BadSetting, Budget, LimitExceeded
from kg.read import MANIFEST, REPORT_SUFFIXES, ReadError, Report, ReportMeta, manifest_entry, read_report
from kg.store import EmbeddedStore, PreparedGraph, Store, StoreError, nt_to_nquads
from kg.urls import BadURL
from kg.graph.vocab import report_graph

if TYPE_CHECKING:
    from kg.executors import Executor
    from kg.shards import ShardWriter

CHUNK = 16          # reports a worker handles per task
WRITE_BATCH = 64    # reports per store transaction (fewer, bigger transactions: -15% writer CPU)
IN_FLIGHT = 3       # tasks queued per worker beyond the one it runs


@dataclass
class ReportResult:
    """What extracting one report gives: its graph (N-Triples, when it may be stored) and its
    verdict (``error`` and SHACL ``violations``; both empty when it conforms)."""
    source: str
    report_id: str = ""
    row: str = ""                   # its manifest row, if any
    triples: int = 0
    error: str = ""
    violations: list[str] = field(default_factory=list)
    ntriples: bytes | None = None   # the graph, when it may be stored
    entries: list | None = None     # its full-text index rows (kg.search.prepared_entries), when asked

    @property
    def conforms(self) -> bool:
        return not self.error and self.ntriples is not None

    @property
    def nquads(self) -> bytes:
        """The report's named graph as N-Quads (empty when it may not be stored)."""
        if self.ntriples is None:
            return b""
        return nt_to_nquads(self.ntriples, str(report_graph(self.report_id)))


@dataclass(frozen=True)
class Settings:
    """Everything extraction reads besides the report, all read-only: the authority list of
    laws, whether to validate with SHACL, which SHACL engine (the shapes and lexicons are
    package data, loaded once per process and never changed), and whether to make the
    graph's full-text index rows too (for an embedded store's writer, which then only inserts them)."""
    authority: Authority | None = None
    shacl: bool = True
    engine: str | None = None
    entries: bool = False


# --- the worker side ------------------------------------------------------------------------

_STATE: dict = {}   # the Settings of a pool worker process, set once by its initializer


def _init(settings: Settings) -> None:
    _STATE["settings"] = settings


def _warm(shacl: bool) -> None:
    """Build what every report needs once: the spaCy pipeline and the parsed shapes."""
    from kg.extract.nlp import build_pipeline
    from kg.graph.validate import load_shapes

    build_pipeline()
    if shacl:
        load_shapes()


def _work(tasks: list) -> list[ReportResult]:
    settings = _STATE.get("settings") or Settings()
    return [_one(task, settings) for task in tasks]


def work_with(settings: Settings, tasks: list) -> list[ReportResult]:
    """Extract a chunk of tasks with explicit settings (what a Dask task runs)."""
    return [_one(task, settings) for task in tasks]


def read_task(task) -> Report | ReportResult:
    """task: (path, ReportMeta | None) for a file, or a Report. The Report, or a result that
    says in one line why the file cannot be read."""
    if isinstance(task, Report):
        return task
    path, meta = task
    try:
        return read_report(path, meta)
    except ReadError as err:
        return ReportResult(source=str(path), error=str(err))
    except Exception as err:  # noqa: BLE001 - one bad report must not stop the batch
        return ReportResult(source=str(path), error=f"{path}: could not be processed ({type(err).__name__}: {err})")


def _one(task, settings: Settings) -> ReportResult:
    report = read_task(task)
    if isinstance(report, ReportResult):
        return report
    source = str(task[0]) if not isinstance(task, Report) else report.path or report.id
    return extract_report(report, settings, source=source)


def extract_report(report: Report, settings: Settings, source: str = "") -> ReportResult:
    """Extraction as a function of one report: text + metadata (the :class:`Report`) and the
    read-only ``settings`` give the report's graph and its validation verdict, within the
    limits of :mod:`kg.limits`. Nothing is read or kept besides them: the same report gives the
    same result in any process, in any order, on any machine that has the package."""
    from kg.ingest import report_triples_of
    from kg.graph.validate import validate_triples

    source = source or report.path or report.id
    path = source
    result = ReportResult(source=source, report_id=report.id, row=report.meta.manifest_row)
    try:
        budget = Budget.from_env()
        triples = report_triples_of(report, settings.authority, budget)
        result.triples = len(triples)
        ntriples = triples.ntriples()
        if settings.shacl:
            validation = validate_triples(triples, engine=settings.engine)
            if not validation.conforms:
                result.violations = validation.violations
                result.error = f"{path}: not stored: {validation.summary()}"
                return result
            budget.clock("validating")
        result.ntriples = ntriples
        if settings.entries:
            from kg.search import prepared_entries

            result.entries = prepared_entries(triples)
    except ReadError as err:
        result.error = str(err)
    except (BadURL, LimitExceeded, BadSetting) as err:
        result.triples = 0
        result.error = f"{path}: not stored: {err}"
    except Exception as err:  # noqa: BLE001 - one bad report must not stop the batch
        result.error = f"{path}: could not be processed ({type(err).__name__}: {err})"
    return result


# --- discovery, streamed --------------------------------------------------------------------

STREAM_MANIFEST_BYTES = 4 * 2**20  # smaller manifests are read whole by kg.read.read_manifest


def _rows(folder: Path, errors: list[str], broken: list[str]) -> Iterator[tuple[Path, ReportMeta]]:
    """The good rows of folder/manifest.csv with kg.read.read_manifest's checks; a big
    (UTF-8) manifest is read row by row instead of whole. A manifest that cannot be read
    (no id or file column, a bad byte) is added to ``broken``: nothing else of its folder is
    ingested, since the files it names would go without their metadata."""
    from kg.read import read_manifest

    path = folder / MANIFEST
    try:
        size = path.stat().st_size
    except OSError as err:
        errors.append(f"{path}: cannot read ({err.strerror or err})")
        broken.append(str(path))
        return
    if size <= STREAM_MANIFEST_BYTES:
        try:
            entries, row_errors, _ = read_manifest(folder)
        except ReadError as err:
            errors.append(str(err))
            broken.append(str(path))
            return
        errors.extend(row_errors)
        yield from entries
        return
    number = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in (reader.fieldnames or [])]
            missing = [c for c in ("id", "file") if c not in columns]
            if missing:
                errors.append(f"{path}: missing column {', '.join(missing)} "
                              "(want id,file,title,agency,jurisdiction,year,url)")
                broken.append(str(path))
                return
            for number, row in enumerate(reader, start=2):
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if not isinstance(v, list)}
                where = f"{path}:{number}"
                entry = manifest_entry(folder, where, row)
                if isinstance(entry, str):
                    errors.append(entry)
                    continue
                yield entry
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        errors.append(f"{path}: cannot read past row {number} ({err}); a big manifest must be UTF-8")
        broken.append(str(path))


def _manifest_names(folder: Path) -> set[str]:
    try:
        with (folder / MANIFEST).open(encoding="utf-8-sig", newline="") as handle:
            return {(row.get("file") or "").strip() for row in csv.DictReader(handle)}
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()


def iter_found(paths: Iterable[Path], errors: list[str]) -> Iterator[tuple[Path, ReportMeta | None]]:
    """kg.read.discover, streamed: (file, manifest metadata or None); problems go to ``errors``."""
    from kg.read import discover

    for path in paths:
        path = Path(path)
        if path.is_dir() and (path / MANIFEST).is_file():
            broken: list[str] = []
            yield from _rows(path, errors, broken)
            if broken:
                continue
            named = _manifest_names(path)
            for f in sorted(path.iterdir()):
                if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES and f.name not in named:
                    yield f, None
        else:
            found, found_errors = discover([path])
            errors.extend(found_errors)
            yield from found


def count_found(paths: Iterable[Path]) -> int:
    """How many files iter_found will yield (one quick pass; for progress bars)."""
    return sum(1 for _ in iter_found(paths, []))


# --- the writer side ------------------------------------------------------------------------

def _store_batch(store: Store, batch: list[tuple[Outcome, ReportResult]]) -> None:
    """Store the graphs of one batch; set each outcome's stored flag or error."""
    items = [(str(report_graph(o.report_id)), r.ntriples) for o, r in batch]
    if not isinstance(store, Store):  # a ShardWriter: one N-Quads file per batch
        try:
            store.write(items)
            for outcome, _ in batch:
                outcome.stored = True
        except OSError as err:
            for outcome, result in batch:
                outcome.error = f"{result.source}: cannot write its shard ({err.strerror or err})"
        return
    if isinstance(store, EmbeddedStore):
        # the index rows the workers made go with the graphs
        prepared = [(iri, PreparedGraph(nt, r.entries) if r.entries is not None else nt)
                    for (iri, nt), (_, r) in zip(items, batch)]
        try:
            store.bulk_replace(prepared, isolated=False)  # readers read snapshots; kg.journal keeps it whole
            for outcome, _ in batch:
                outcome.stored = True
            return
        except StoreError:
            pass  # find the report the store refuses: one at a time
    for (outcome, result), (iri, data) in zip(batch, items):
        try:
            store.replace_ntriples(iri, data)
            outcome.stored = True
        except StoreError as err:
            outcome.error = f"{result.source}: store refused the report: {err}"


def _run(tasks: Iterator, store: "Store | ShardWriter", jobs: int, shacl: bool, authority: Authority | None,
         engine: str | None, chunk: int, summary: Summary,
         on_done: Callable[[Outcome], None] | None, executor: "Executor | None" = None) -> Summary:
    """The one path of batch ingest: ``executor`` (by default this process for ``jobs=1``, a
    pool of ``jobs`` processes else; or a Dask cluster, see :mod:`kg.executors`) extracts
    chunks of reports; this process claims graphs, writes the batches and reports outcomes."""
    claims = GraphClaims()

    def chunks() -> Iterator[list]:
        batch = []
        for task in tasks:
            batch.append(task)
            if len(batch) >= chunk:
                yield batch
                batch = []
        if batch:
            yield batch

    pending: list[tuple[Outcome, ReportResult]] = []   # validated, waiting for the next store write
    done: list[Outcome] = []                        # reported once what they wait for is stored

    def flush() -> None:
        if pending:
            _store_batch(store, pending)
            pending.clear()
        for outcome in done:
            summary.outcomes.append(outcome)
            if on_done:
                on_done(outcome)
        done.clear()

    def finish(results: list[ReportResult]) -> None:
        for r in results:
            outcome = Outcome(source=r.source, report_id=r.report_id, triples=r.triples, error=r.error,
                              violations=r.violations)
            taken = claims.claim(r.report_id, r.source, r.row) if r.report_id else ""
            if taken:
                outcome.error = taken
                outcome.violations, outcome.triples = [], 0
            elif not outcome.error and r.ntriples is not None:
                pending.append((outcome, r))
            done.append(outcome)
        if len(pending) >= max(chunk, WRITE_BATCH):
            flush()

    from kg.executors import local_executor

    executor = executor or local_executor(jobs)
    settings = Settings(authority, shacl, engine, entries=isinstance(store, EmbeddedStore) and store.indexed)
    for results in executor.results(chunks(), settings):
        finish(results)
    flush()
    if isinstance(store, Store):  # kg.progress: the checks of the bodies this batch touched
        recompute_progress(store, summary)
    return summary


def ingest_paths_parallel(paths: Iterable[Path | str], store: "Store | ShardWriter", jobs: int = 2,
                          shacl: bool = True, authority: Authority | None = None,
                          on_start: Callable[[int], None] | None = None,
                          on_done: Callable[[Outcome], None] | None = None, engine: str | None = None,
                          chunk: int = CHUNK, executor: "Executor | None" = None) -> Summary:
    """Ingest files and folders with ``jobs`` worker processes, or on ``executor`` (see the
    module doc); ``store`` may be a :class:`kg.shards.ShardWriter` (N-Quads files, no store)."""
    paths = [Path(p) for p in paths]
    summary = Summary()
    if on_start:
        on_start(count_found(paths))
    authority = authority if authority is not None else default_authority()
    errors: list[str] = []
    _run(iter(iter_found(paths, errors)), store, jobs, shacl, authority, engine, chunk, summary, on_done, executor)
    summary.errors = errors
    return summary


def ingest_reports_parallel(reports: Iterable[Report], store: Store, jobs: int = 2, shacl: bool = True,
                            authority: Authority | None = None,
                            on_done: Callable[[Outcome], None] | None = None, engine: str | None = None,
                            chunk: int = CHUNK, executor: "Executor | None" = None) -> Summary:
    """Ingest :class:`Report` objects (streamed: only a few batches are held at a time)."""
    summary = Summary()
    authority = authority if authority is not None else default_authority()
    return _run(iter(reports), store, jobs, shacl, authority, engine, chunk, summary, on_done, executor)
