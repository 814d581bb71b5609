"""Where the graph lives: an embedded Oxigraph store, or any SPARQL 1.1 endpoint.

The rest of the project sees only :class:`Store`: ``select``/``ask``/``construct`` for
reading, ``replace_graph`` for writing one report's graph atomically, ``update`` for
SPARQL UPDATE. ``open_store("./data")`` opens (or creates) an embedded pyoxigraph store;
``open_store("http://127.0.0.1:7878")`` talks SPARQL 1.1 Protocol and Graph Store Protocol.
"""
from __future__ import annotations

import json
import re
import threading
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

RESULTS_JSON = "application/sparql-results+json"

# Media types ``raw_query`` answers in, with the pyoxigraph format of each.
RESULT_MEDIA_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_MEDIA_TYPES = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/n-quads": "N_QUADS",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}


FLUSH_EVERY_QUADS = 50_000  # bulk_replace flushes Oxigraph's memtables this often
PUBLISH_EVERY = 10.0  # seconds: a long ingest publishes a snapshot for readers this often


class StoreError(RuntimeError):
    """A store could not be opened or did not accept an operation."""


class QuerySyntaxError(StoreError):
    """The query (or a dataset IRI given with it) was rejected by the parser."""


class QueryTimeout(StoreError):
    """The query did not finish within its time limit."""


@dataclass(frozen=True)
class PreparedGraph:
    """A graph's N-Triples together with its full-text index rows
    (:func:`kg.search.prepared_entries`), made where the graph was built (an ingest worker),
    so that the store's writer does not read them back from the text."""
    ntriples: bytes
    entries: list


@dataclass(frozen=True)
class RawResult:
    """A query answer already serialised: ``body`` in ``content_type``.

    ``truncated`` is true when more than ``row_limit`` rows (or triples) matched and only
    the first ``row_limit`` are in ``body``.
    """

    content_type: str
    body: bytes
    truncated: bool = False


class Store(ABC):
    """A quad store that answers SPARQL 1.1."""

    location: str

    @abstractmethod
    def select(self, query: str, bindings: dict[str, Node] | None = None) -> dict:
        """Run a SELECT (or ASK) query; return the W3C SPARQL 1.1 JSON results as a dict."""

    def select_rows(self, query: str) -> Iterator[dict[str, str]]:
        """Run a SELECT query; yield its rows as plain dicts (variable -> lexical value), without
        holding the whole answer where the store can stream it."""
        return rows(self.select(query))

    @abstractmethod
    def construct(self, query: str) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query; return the triples as an rdflib Graph."""

    @abstractmethod
    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 UPDATE in one transaction."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    def raw_query(self, query: str, accept: str = RESULTS_JSON,
                  default_graphs: Iterable[str] | None = None,
                  named_graphs: Iterable[str] | None = None, *,
                  row_limit: int | None = None, timeout: float | None = None) -> RawResult:
        """Run any query form and return its answer serialised in the media type ``accept``.

        ``accept`` is one key of RESULT_MEDIA_TYPES (SELECT, ASK) or GRAPH_MEDIA_TYPES
        (CONSTRUCT, DESCRIBE); if it does not fit the query form the form's default
        (SPARQL JSON, Turtle) is used: check ``RawResult.content_type``.
        ``default_graphs``/``named_graphs`` give the dataset as in the SPARQL 1.1 Protocol
        (when either is given, both replace the store's default dataset). At most
        ``row_limit`` rows (or triples) are returned, with ``truncated`` set if there were
        more. Raises QuerySyntaxError for a malformed query, QueryTimeout past ``timeout``
        seconds, StoreError otherwise.
        """
        raise StoreError(f"{type(self).__name__} cannot run raw queries")

    def replace_graph(self, graph_iri: str, graph: Graph) -> None:
        """Replace one named graph by ``graph``, all or nothing."""
        self.replace_ntriples(graph_iri, graph.serialize(format="nt"))

    def replace_ntriples(self, graph_iri: str, ntriples: str | bytes) -> None:
        """Replace one named graph by the triples of an N-Triples text, all or nothing (one
        SPARQL update: DROP, then INSERT DATA)."""
        body = ntriples.decode("utf-8") if isinstance(ntriples, bytes) else ntriples
        self.update(f"DROP SILENT GRAPH <{graph_iri}> ;\nINSERT DATA {{ GRAPH <{graph_iri}> {{\n{body}\n}} }}")

    def drop_graph(self, graph_iri: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph_iri}>")

    def search(self, query: str, limit: int, offset: int) -> "tuple[int, list[dict], bool] | None":
        """(total, rows, exact) from the store's full-text index (kg.search), or None when it
        has none (or it is stale): the caller then scans with SPARQL."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_WORD_CHARACTER = re.compile(r"\w")


def _keyword(*words: str, then: str = r"\b") -> re.Pattern:
    r"""A pattern for any of ``words`` in any case, followed by ``then``; find it with
    :func:`_search_word`. It opens with the set of the words' first letters: Python's engine
    then skips to candidates, where a leading ``\b`` or a case-insensitive alternation makes it
    try every position of the text (18–25 µs against 1–4 µs in a query of 1.5 KB)."""
    def cases(char: str) -> str:
        return re.escape(char.lower() + char.upper())
    first = "".join(cases(word[0]) for word in words)
    branches = "|".join(f"(?<=[{cases(word[0])}])(?i:{re.escape(word[1:])})" for word in words)
    return re.compile(f"[{first}](?:{branches}){then}")


def _search_word(pattern: re.Pattern, text: str, pos: int = 0) -> re.Match | None:
    r"""The first match of ``pattern`` at or after ``pos`` that starts a word (as a leading
    ``\b`` would require)."""
    for match in pattern.finditer(text, pos):
        start = match.start()
        if start == 0 or not _WORD_CHARACTER.match(text, start - 1):
            return match
    return None


_WHERE = _keyword("WHERE", then=r"\s*\{")
_VALUES = _keyword("VALUES")
_LEADING_GRAPH = re.compile(r"\s*GRAPH\s+(?:[?$]\w+\s*)?\{", re.IGNORECASE)


def with_values(query: str, bindings: dict[str, Node] | None) -> str:
    """Bind variables with a VALUES block built from RDF terms (never raw text).

    The block opens the WHERE group, so FILTERs, OPTIONALs and aggregates of the query see the
    bound values; a query without ``WHERE {`` gets a trailing VALUES clause instead.

    When the WHERE group opens with ``GRAPH ?g { … }`` and a variable is certainly bound by a
    triple pattern of that block (it occurs there outside any nested group, expression or
    BIND, and nowhere inside them), its value is bound inside the block instead. The answers
    are the same (joining a one-row table into the first member of a group is joining it into
    the group), and the store starts from the bound value instead of matching the whole
    pattern in every graph first: a one-report lookup stops growing with the store.
    """
    if not bindings:
        return query
    masked = _blank_comments_and_strings(query)
    match = _where(masked)
    if match is None:
        return f"{query.rstrip()}\n{_values_block(bindings)}\n"
    inner, outer = _graph_bound(masked, match.end(), bindings), {}
    for name, term in bindings.items():
        if name not in inner:
            outer[name] = term
    text = query
    if inner:
        graph = _LEADING_GRAPH.match(masked, match.end())
        text = f"{text[:graph.end()]}\n    {_values_block(inner)}\n{text[graph.end():]}"
    if outer:
        text = f"{text[:match.end()]}\n  {_values_block(outer)}\n{text[match.end():]}"
    return text


_FORM = _keyword("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
_LIMIT = _keyword("LIMIT", then=r"\s+(\d+)")


@lru_cache(maxsize=512)
def _where(masked: str) -> re.Match | None:
    """Where the WHERE group opens (a named query's text is bound again on every request)."""
    return _search_word(_WHERE, masked)


_BRACE = re.compile(r"[{}]")


def with_limit(query: str, limit: int) -> str | None:
    """The SELECT ``query`` answering at most ``limit`` rows: its own LIMIT when that is
    smaller, else ``LIMIT limit`` (replacing a bigger one or appended). ``None`` when the query
    is not a SELECT or its end cannot take a LIMIT (a trailing VALUES block)."""
    masked = _blank_comments_and_strings(query)
    form = _search_word(_FORM, masked)
    if form is None or form.group().upper() != "SELECT":
        return None
    start = masked.find("{", form.end())
    if start < 0:
        return None
    depth, end = 0, None
    for brace in _BRACE.finditer(masked, start):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            end = brace.end()
            break
    if end is None:
        return None
    tail = masked[end:]
    if _search_word(_VALUES, tail):
        return None
    own = _search_word(_LIMIT, tail)
    if own is None:
        return f"{query.rstrip()}\nLIMIT {limit}\n"
    if int(own.group(1)) <= limit:
        return query
    return f"{query[:end + own.start(1)]}{limit}{query[end + own.end(1):]}"


def _values_block(bindings: dict[str, Node]) -> str:
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def _graph_bound(masked: str, start: int, bindings: dict[str, Node]) -> dict[str, Node]:
    """The bindings whose variables a leading ``GRAPH ?g { … }`` block certainly binds (see
    :func:`_graph_bindable`)."""
    names = _graph_bindable(masked, start)
    return {name: term for name, term in bindings.items() if name in names}


@lru_cache(maxsize=512)
def _graph_bindable(masked: str, start: int) -> frozenset[str]:
    """The variables a leading ``GRAPH ?g { … }`` block (at ``start``) certainly binds before
    anything else in it uses them: the variable's first occurrence in the block is in a triple
    pattern of the block's own level (outside nested groups and parentheses), and it is never
    the target of ``AS``. Later uses (FILTER, OPTIONAL, BIND) then see the same value either way.
    """
    graph = _LEADING_GRAPH.match(masked, start)
    if graph is None:
        return frozenset()
    levels: list[bool] = []  # per character of the body: at the block's own level?
    depth = parens = 0
    end = None
    for i in range(graph.end(), len(masked)):
        char = masked[i]
        if char == "}" and depth == 0:
            end = i
            break
        depth += (char == "{") - (char == "}")
        parens += (char == "(") - (char == ")")
        levels.append(depth == 0 and parens == 0)
    if end is None:
        return frozenset()
    body = masked[graph.end():end]
    if _search_word(_VALUES, body):
        return frozenset()
    seen: set[str] = set()
    names: set[str] = set()
    for var in re.finditer(r"[?$](\w+)", body):
        if var.group(1) not in seen:
            seen.add(var.group(1))
            if levels[var.start()]:
                names.add(var.group(1))
    names -= {target.group(1) for target in re.finditer(r"\bAS\s+[?$](\w+)", body, re.IGNORECASE)}
    return frozenset(names)


_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)


def union_default(query: str, kwargs: dict) -> dict:
    """The query options with the default graph as the union of the named graphs (every
    report), as Fuseki's ``unionDefaultGraph`` and ``oxigraph serve --union-default-graph``
    do, unless the request (``default-graph-uri``) or the query (``FROM``/``FROM NAMED``)
    names its dataset: then that dataset is used as given."""
    if "default_graph" in kwargs or "named_graphs" in kwargs:
        return kwargs
    if "FROM" in query.upper() and _FROM.search(_blank_comments_and_strings(query)):
        return kwargs
    return {**kwargs, "use_default_graph_as_union": True}


@lru_cache(maxsize=512)
def _blank_comments_and_strings(query: str) -> str:
    """The query with comments and string literals blanked out (same length), for searching."""
    return re.sub(r'#[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>',
                  lambda m: " " * len(m.group(0)), query)


class StoreBusy(StoreError):
    """Another process holds the store: an ingest writes it, or a server keeps it open."""


def lock_holder(store_path: Path) -> str:
    """Who holds the store's lock, as its writer noted it (``pid 123: kg ingest …``)."""
    try:
        text = store_path.with_name(store_path.name + ".lock").read_text(encoding="utf-8", errors="replace")
        return text.strip() or "a reader"
    except OSError:
        return "unknown"


class StoreLock:
    """An advisory lock beside an embedded store (``<store>.lock``), so that processes take
    turns: one writer at a time and no reader while it writes (RocksDB allows one writer per
    folder, and a read-only open beside a writer is undefined behaviour)."""

    def __init__(self, path: Path, exclusive: bool, wait: float = 0.0,
                 on_wait: "Callable[[str], None] | None" = None):
        import fcntl
        import os
        import time

        self.path = path.with_name(path.name + ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self.holder()
                if time.monotonic() >= deadline:
                    os.close(self._fd)
                    raise StoreBusy(f"{path}: the store is in use by another process ({holder}); "
                                    "try again when it has finished, or go through the server that "
                                    "holds it: --store http://127.0.0.1:8000/sparql") from None
                if on_wait and not told:
                    on_wait(f"{path}: waiting for another process to finish with the store ({holder})")
                    told = True
                time.sleep(0.2)
        if exclusive:
            import sys

            os.ftruncate(self._fd, 0)
            os.write(self._fd, f"pid {os.getpid()}: {' '.join(sys.argv[:3])}".encode()[:200])

    def holder(self) -> str:
        return lock_holder(self.path.with_name(self.path.name[:-len(".lock")]))

    def release(self) -> None:
        import fcntl
        import os

        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _finish_dead_writers_batch(path: Path, wait: float, on_wait) -> None:
    """Before a read-only open: a bulk batch whose writer died (:mod:`kg.journal`) is removed
    first, by taking the writer's lock for a moment (no live writer holds it, or this waits)."""
    from kg import journal

    if not journal.pending(path):
        return
    import pyoxigraph

    lock = StoreLock(path, exclusive=True, wait=wait, on_wait=on_wait)
    try:
        if journal.pending(path):
            store = pyoxigraph.Store(str(path))
            try:
                journal.undo(store, path)
            finally:
                del store
    except (OSError, RuntimeError) as err:
        raise StoreError(f"{path}: cannot undo an unfinished batch ({_first_line(err)})") from err
    finally:
        lock.release()


class EmbeddedStore(Store):
    """A persistent pyoxigraph store in a folder."""

    def __init__(self, path: str | Path, read_only: bool = False, wait: float = 0.0,
                 on_wait: "Callable[[str], None] | None" = None):
        self._init_state(path, read_only)
        if read_only and not Path(path).is_dir():
            raise StoreError(f"{path}: no store here (run `kg ingest` first)")
        if read_only:
            _finish_dead_writers_batch(Path(path), wait, on_wait)
        self._lock = StoreLock(Path(path), exclusive=not read_only, wait=wait, on_wait=on_wait)
        try:
            if read_only:
                if not Path(path).is_dir():
                    raise StoreError(f"{path}: no store here (run `kg ingest` first)")
                self._store = self._ox.Store.read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._store = self._ox.Store(str(path))
                self._undo_unfinished_batch()
                self._open_index()
        except (OSError, StoreError) as err:
            self._lock.release()
            if isinstance(err, StoreError):
                raise
            raise StoreError(f"{path}: cannot open the store ({_first_line(err)})") from err

    def _init_state(self, path: str | Path, read_only: bool) -> None:
        """What every embedded store (writer, reader, worker) holds before it opens anything."""
        import pyoxigraph

        self._ox = pyoxigraph
        self.location = str(path)
        self.read_only = read_only
        self._lock = None
        self._write_lock = threading.RLock()
        self._writing = 0
        self._publishing = False
        self._dirty = False
        self._published = time.monotonic()
        self._replacing = False  # inside a graph replacement: its update leaves the index fresh
        self._unflushed = 0      # quads written since the last flush
        self._search = None      # the full-text index this writer keeps (kg.search)
        self._reader_index = None  # the index a reader opened

    def _undo_unfinished_batch(self) -> None:
        """A bulk batch its writer did not finish (:mod:`kg.journal`) leaves the store."""
        from kg import journal

        try:
            journal.undo(self._store, self.location)
        except (OSError, RuntimeError) as err:
            raise StoreError(f"{self.location}: cannot undo an unfinished batch ({_first_line(err)})") from err

    def _open_index(self) -> None:
        """The writer keeps the full-text index beside the store (kg.search); an index made for
        a store that already holds graphs starts stale, until `kg index` fills it; an empty
        store's index starts empty (one left beside a store folder deleted alone would answer
        with graphs that are gone)."""
        import sqlite3

        from kg.search import SearchIndex, index_path

        new = not index_path(self.location).exists()
        try:
            self._search = SearchIndex(self.location, writable=True)
            holds = next(iter(self._store.named_graphs()), None) is not None
            if new and holds:
                self._search.mark_stale()
            elif not holds and self._search.has_entries():  # left by a store deleted without its index
                self._search.rebuild(iter(()))
        except sqlite3.Error as err:
            raise StoreError(f"{self.location}: cannot open the search index ({err})") from err

    @property
    def indexed(self) -> bool:
        """Whether this store keeps a full-text index as it writes (a writer of an embedded store)."""
        return self._search is not None

    def _index(self, graphs: list[tuple[str, bytes | list]], stale: bool = False) -> None:
        index = self._search
        if index is None:
            return
        if stale:
            index.mark_stale()
        elif graphs:
            index.replace(graphs)

    def search(self, query: str, limit: int, offset: int):
        index = self._search
        if index is None:
            from kg.search import SearchIndex

            index = self._reader_index = self._reader_index or SearchIndex.open_for_reading(self.location)
        if index is None or not index.fresh():
            return None
        return index.search(query, limit, offset)

    def reindex(self) -> int:
        """Rebuild the full-text index from every graph of the store (``kg index``)."""
        if self._search is None:
            raise StoreError(f"{self.location}: open the store for writing to rebuild its index")
        ox = self._ox

        def graphs():
            for graph in self._store.named_graphs():
                yield graph.value, self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)

        with self._write_lock:
            return self._search.rebuild(graphs())

    def _query(self, query: str):
        try:
            return self._store.query(query, **union_default(query, {}))
        except SyntaxError as err:
            raise QuerySyntaxError(f"SPARQL syntax error: {_first_line(err)}") from err
        except (OSError, RuntimeError, ValueError) as err:
            raise StoreError(f"query failed: {_first_line(err)}") from err

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> dict:
        result = self._query(with_values(query, bindings))
        if isinstance(result, self._ox.QueryBoolean):
            return {"head": {}, "boolean": bool(result)}
        if not isinstance(result, self._ox.QuerySolutions):
            raise StoreError("expected a SELECT or ASK query")
        return json.loads(result.serialize(format=self._ox.QueryResultsFormat.JSON))

    def select_rows(self, query: str) -> Iterator[dict[str, str]]:
        result = self._query(query)
        if not isinstance(result, self._ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        names = [variable.value for variable in result.variables]
        try:
            for solution in result:
                row = {}
                for name in names:
                    term = solution[name]
                    if term is not None:
                        row[name] = term.value
                yield row
        except (OSError, RuntimeError, ValueError) as err:
            raise StoreError(f"query failed: {_first_line(err)}") from err

    def construct(self, query: str) -> Graph:
        result = self._query(query)
        if not isinstance(result, self._ox.QueryTriples):
            raise StoreError("expected a CONSTRUCT or DESCRIBE query")
        data = result.serialize(format=self._ox.RdfFormat.N_TRIPLES)
        return Graph().parse(data=data.decode("utf-8"), format="nt")

    def raw_query(self, query: str, accept: str = RESULTS_JSON,
                  default_graphs: Iterable[str] | None = None,
                  named_graphs: Iterable[str] | None = None, *,
                  row_limit: int | None = None, timeout: float | None = None) -> RawResult:
        ox = self._ox
        deadline = time.monotonic() + timeout if timeout else None
        kwargs = {}
        if default_graphs is not None or named_graphs is not None:
            try:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
            except ValueError as err:
                raise QuerySyntaxError(f"bad graph IRI: {_first_line(err)}") from err
        limited = with_limit(query, row_limit + 1) if row_limit is not None else None
        if limited is not None:
            try:
                return self._select_capped(limited, accept, row_limit, kwargs)
            except SyntaxError:
                pass  # the query as given says what is wrong with it, below
            except (OSError, RuntimeError, ValueError) as err:
                raise StoreError(f"query failed: {_first_line(err)}") from err
        try:
            result = self._store.query(query, **union_default(query, kwargs))
            if isinstance(result, ox.QueryBoolean):
                media = _pick(accept, RESULT_MEDIA_TYPES)
                return RawResult(media, result.serialize(format=_results_format(media)))
            items, truncated = [], False
            for item in result:
                if deadline is not None and time.monotonic() > deadline:
                    raise QueryTimeout(f"query timed out after {timeout:g} s")
                if row_limit is not None and len(items) >= row_limit:
                    truncated = True
                    break
                items.append(item)
        except QueryTimeout:
            raise
        except SyntaxError as err:
            raise QuerySyntaxError(f"SPARQL syntax error: {_first_line(err)}") from err
        except (OSError, RuntimeError, ValueError) as err:
            raise StoreError(f"query failed: {_first_line(err)}") from err
        if isinstance(result, ox.QuerySolutions):
            media = _pick(accept, RESULT_MEDIA_TYPES)
            variables = [v.value for v in result.variables]
            return RawResult(media, _serialize_solutions(variables, items, media), truncated)
        media = _pick(accept, GRAPH_MEDIA_TYPES)
        return RawResult(media, _serialize_triples(items, media), truncated)

    def update(self, update: str) -> None:
        with self.writing():
            try:
                self._store.update(update)
            except SyntaxError as err:
                raise QuerySyntaxError(f"SPARQL update syntax error: {_first_line(err)}") from err
            except (OSError, RuntimeError, ValueError) as err:
                raise StoreError(f"update failed: {_first_line(err)}") from err
            if not self._replacing:
                self._index([], stale=True)  # an update may change any label: rebuild with `kg index`

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    @contextmanager
    def writing(self):
        """Hold the store's write lock: writes of this process's threads take turns, so that a
        report's graph is replaced whole whatever else writes at the same moment (a check for
        an existing graph and the load that follows it are never interleaved with another
        writer's). When snapshots are published (:meth:`publish_snapshots`), the outermost
        write publishes what it committed, before the lock is let go."""
        with self._write_lock:
            if not self._dirty:
                from kg.snapshots import mark_dirty

                mark_dirty(self.location)
                self._dirty = True
            self._writing += 1
            try:
                yield
            finally:
                self._writing -= 1
            if self._writing == 0 and (self._publishing or time.monotonic() - self._published > PUBLISH_EVERY):
                self.publish()

    def publish_snapshots(self) -> str:
        """Publish a snapshot now and after every write from now on, for readers in other
        processes (see :mod:`kg.snapshots`). Returns the snapshot's generation."""
        if self.read_only:
            raise StoreError(f"{self.location}: a read-only store publishes no snapshots")
        with self._write_lock:
            self._publishing = True
            return self.publish()

    def publish(self) -> str:
        """Publish what this store has committed as a new snapshot generation."""
        from kg.snapshots import publish

        with self._write_lock:
            try:
                name = publish(self._store, self.location)
            except OSError as err:
                raise StoreError(f"{self.location}: cannot publish a snapshot ({_first_line(err)})") from err
            self._dirty = False
            self._published = time.monotonic()
            return name

    def _select_capped(self, query: str, accept: str, row_limit: int, kwargs: dict) -> RawResult:
        """A SELECT already limited to ``row_limit + 1`` rows, serialised by Oxigraph itself:
        written as TSV (one line a row), cut to ``row_limit`` rows when there are more, read
        back and written in the format asked for. No Python object per row or term. A short
        JSON answer (most lookups) is sent as Oxigraph writes it: it cannot have been cut."""
        ox = self._ox
        result = self._store.query(query, **union_default(query, kwargs))
        media = _pick(accept, RESULT_MEDIA_TYPES)
        if media == RESULTS_JSON:
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            # Each row is an object, ``{}`` at least, with a comma between rows: an answer
            # shorter than 3 bytes a row cannot hold row_limit + 1 of them, and is sent as is.
            if len(body) < 3 * row_limit:
                return RawResult(media, body, False)
            result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        tsv = result.serialize(format=ox.QueryResultsFormat.TSV)
        lines = tsv.split(b"\n", row_limit + 1)  # the header, row_limit rows, the rest
        truncated = len(lines) > row_limit + 1 and lines[row_limit + 1] != b""
        if truncated:
            tsv = b"\n".join(lines[:row_limit + 1]) + b"\n"
        if media == "text/tab-separated-values":
            return RawResult(media, tsv, truncated)
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return RawResult(media, parsed.serialize(format=_results_format(media)), truncated)

    def bulk_replace(self, graphs: Iterable[tuple[str, Graph | str | bytes | PreparedGraph]],
                     isolated: bool = True) -> None:
        """Replace several named graphs, each all or nothing: the fast path of batch ingest.

        ``graphs`` are (graph IRI, content) pairs; content is an rdflib Graph, N-Triples text
        (one triple per line, as rdflib and Oxigraph write it) or a :class:`PreparedGraph`
        (N-Triples with the graph's search-index rows). A graph already in the store is
        replaced in a transaction of its own (DROP + INSERT, as ``replace_graph``). Graphs the
        store does not hold yet are written together: with ``isolated`` (the default) in one
        transaction by Oxigraph's N-Quads loader; with ``isolated=False`` by Oxigraph's bulk
        loader under the journal of :mod:`kg.journal` (two to three times cheaper; the batch is
        still stored whole or not at all, but a query of this process that runs during the load
        may see part of it: batch ingest, whose readers read published snapshots, uses it).
        Raises StoreError when the store refuses the data; nothing of the failing batch is then
        stored.
        """
        with self.writing():
            self._bulk_replace(graphs, isolated)

    def _bulk_replace(self, graphs: Iterable[tuple[str, Graph | str | bytes | PreparedGraph]],
                      isolated: bool = True) -> None:
        ox = self._ox
        fresh: dict[str, tuple[bytes, list | None]] = {}  # graph IRI → (N-Triples, index rows), new graphs
        for iri, content in graphs:
            entries = None
            if isinstance(content, PreparedGraph):
                content, entries = content.ntriples, content.entries
            text = content.serialize(format="nt") if isinstance(content, Graph) else content
            data = text.encode("utf-8") if isinstance(text, str) else text
            if iri in fresh:  # named twice in one batch: the last content wins, as in a series of replaces
                fresh[iri] = (data, entries)
                continue
            try:
                exists = self._store.contains_named_graph(ox.NamedNode(iri))
            except ValueError as err:
                raise StoreError(f"bad graph IRI <{iri}>: {_first_line(err)}") from err
            if exists:
                self._replace_one(iri, data, entries)
            else:
                fresh[iri] = (data, entries)
        if fresh:
            self._write_fresh(fresh, isolated)

    def _replace_one(self, iri: str, data: bytes, entries: list | None = None) -> None:
        self._replacing = True
        try:
            Store.replace_ntriples(self, iri, data)  # the update: DROP and INSERT in one transaction
        finally:
            self._replacing = False
        self._written(data.count(b"\n"))
        self._index(self._index_items({iri: (data, entries)}))

    @staticmethod
    def _index_items(fresh: dict[str, tuple[bytes, list | None]]) -> list[tuple[str, bytes | list]]:
        return [(iri, data if entries is None else entries) for iri, (data, entries) in fresh.items()]

    def _write_fresh(self, fresh: dict[str, tuple[bytes, list | None]], isolated: bool) -> None:
        """Write graphs the store does not hold: one transaction, or the journaled bulk load."""
        ox = self._ox
        if not isolated:
            return self._bulk_write_fresh(fresh)
        data = b"".join(nt_to_nquads(nt, iri) for iri, (nt, _) in fresh.items())
        try:
            self._store.load(data, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError, RuntimeError) as err:
            raise StoreError(f"load failed: {_first_line(err)}") from err
        self._written(data.count(b"\n"))
        self._index(self._index_items(fresh))

    def _bulk_write_fresh(self, fresh: dict[str, tuple[bytes, list | None]]) -> None:
        """The bulk loader under the journal (:mod:`kg.journal`), one call a batch (smaller
        calls sort less each but leave RocksDB more files to compact, and its checkpoints, the
        snapshots readers read, then wait seconds for that): if the load or the index fails,
        what it wrote is removed before the error is raised; if the process dies, the next
        writer removes it."""
        from kg import journal

        try:
            journal.begin(self.location, list(fresh))
        except OSError as err:
            raise StoreError(f"{self.location}: cannot write the batch journal ({_first_line(err)})") from err
        try:
            data = b"".join(nt_to_nquads(nt, iri) for iri, (nt, _) in fresh.items())
            self._store.bulk_load(data, format=self._ox.RdfFormat.N_QUADS)
            self._index(self._index_items(fresh))
        except BaseException as err:
            journal.undo(self._store, self.location, self._search)
            if isinstance(err, (SyntaxError, ValueError, OSError, RuntimeError)):
                raise StoreError(f"load failed: {_first_line(err)}") from err
            raise
        journal.end(self.location)

    def drop_graph(self, graph_iri: str) -> None:
        with self.writing():
            self._replacing = True
            try:
                Store.drop_graph(self, graph_iri)
            finally:
                self._replacing = False
            if self._search is not None:
                self._search.drop(graph_iri)

    def replace_ntriples(self, graph_iri: str, ntriples: str | bytes) -> None:
        """Replace one named graph, all or nothing (one transaction), as ``bulk_replace``
        (``replace_graph`` comes here too)."""
        self.bulk_replace([(graph_iri, ntriples)])

    def _written(self, quads: int) -> None:
        """Count transactionally written quads; flush every FLUSH_EVERY_QUADS. Oxigraph keeps
        what transactions wrote in memory until a flush: without one, resident memory grows by
        about 1 KB a quad (10 GB for 10M triples), whichever path wrote them."""
        self._unflushed += quads
        if self._unflushed >= FLUSH_EVERY_QUADS:
            self._unflushed = 0
            try:
                self._store.flush()
            except (OSError, RuntimeError) as err:
                raise StoreError(f"flush failed: {_first_line(err)}") from err

    def bulk_load(self, source: str | Path | bytes, media_type: str = "application/n-quads") -> None:
        """Load a big RDF file (or bytes) fast, with Oxigraph's bulk loader.

        Not transactional and nothing is replaced: the quads are added. Meant for filling an
        empty store from a dump (``N-Quads`` keeps the named graphs).
        """
        fmt = getattr(self._ox.RdfFormat, GRAPH_MEDIA_TYPES[media_type])
        with self.writing():
            self._index([], stale=True)  # bulk loads bypass the index: `kg index` rebuilds it
            try:
                if isinstance(source, bytes):
                    self._store.bulk_load(source, format=fmt)
                else:
                    self._store.bulk_load(path=str(source), format=fmt)
            except (SyntaxError, ValueError, OSError, RuntimeError) as err:
                raise StoreError(f"bulk load failed: {_first_line(err)}") from err

    def close(self) -> None:
        if self._store is not None and not self.read_only:
            try:
                self._store.flush()
                if self._dirty:
                    self.publish()  # readers in other processes see what this writer wrote
            except (OSError, RuntimeError, StoreError):
                pass
        self._store = None
        for index in (self._search, self._reader_index):
            if index is not None:
                index.close()
        self._search = self._reader_index = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None


class WorkerStore(EmbeddedStore):
    """What a query worker process reads (see ``api.workers``), never writes: the newest
    published snapshot of an embedded store (``snapshots=True``, the writer publishes them), or
    the store's folder itself opened read-only, which is safe only while the process that
    started the worker holds the store's shared lock (then nobody writes it).

    Call :meth:`refresh` before each job: it moves to a newer snapshot when one was published.
    """

    def __init__(self, path: str | Path, snapshots: bool):
        import pyoxigraph

        from kg.snapshots import SnapshotError, SnapshotReader

        self._init_state(path, read_only=True)
        self._reader = SnapshotReader(path) if snapshots else None
        self._snapshot_error = SnapshotError
        self._store = None
        if self._reader is None:
            try:
                self._store = pyoxigraph.Store.read_only(str(path))
            except OSError as err:
                raise StoreError(f"{path}: cannot open the store ({_first_line(err)})") from err
        else:
            self.refresh()

    @property
    def reads_snapshots(self) -> bool:
        return self._reader is not None

    def refresh(self) -> None:
        if self._reader is not None:
            try:
                self._store = self._reader.store()
            except self._snapshot_error as err:
                raise StoreError(str(err)) from err

    def writing(self):
        raise StoreError(f"{self.location}: a query worker does not write the store")

    def close(self) -> None:
        self._store = None
        if self._reader_index is not None:
            self._reader_index.close()
            self._reader_index = None
        if self._reader is not None:
            self._reader.close()


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint; ``location`` is its base URL or its query URL.

    For an Oxigraph server at ``http://host:port`` the query URL is ``/query``,
    the update URL ``/update`` and the Graph Store ``/store``.
    """

    def __init__(self, url: str, query_url: str | None = None, update_url: str | None = None,
                 timeout: float = 60.0):
        import httpx

        base = url.rstrip("/")
        for suffix in ("/query", "/sparql"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                query_url = query_url or url
                if suffix == "/sparql":  # one SPARQL 1.1 Protocol endpoint for both (kg serve's)
                    update_url = update_url or url
        self.location = url
        self.query_url = query_url or base + "/query"
        self.update_url = update_url or base + "/update"
        self._http = httpx.Client(timeout=timeout)

    def _post(self, url: str, data: dict, accept: str):
        import httpx

        try:
            response = self._http.post(url, data=data, headers={"Accept": accept})
        except httpx.HTTPError as err:
            raise StoreError(f"{url}: {err}") from err
        if response.status_code == 400:
            raise QuerySyntaxError(f"{url}: HTTP 400: {response.text.strip()[:1000]}")
        if response.status_code >= 400:
            raise StoreError(f"{url}: HTTP {response.status_code}: {response.text.strip()[:300]}")
        return response

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> dict:
        response = self._post(self.query_url, {"query": with_values(query, bindings)}, RESULTS_JSON)
        return response.json()

    def construct(self, query: str) -> Graph:
        response = self._post(self.query_url, {"query": query}, "application/n-triples")
        return Graph().parse(data=response.text, format="nt")

    def raw_query(self, query: str, accept: str = RESULTS_JSON,
                  default_graphs: Iterable[str] | None = None,
                  named_graphs: Iterable[str] | None = None, *,
                  row_limit: int | None = None, timeout: float | None = None) -> RawResult:
        """Forward the query and the Accept header; the row cap is applied on the answer (and
        sent as a LIMIT of one row more, so the endpoint does not send the whole answer)."""
        import httpx

        if row_limit is not None:
            query = with_limit(query, row_limit + 1) or query
        data: dict = {"query": query}
        if default_graphs is not None:
            data["default-graph-uri"] = list(default_graphs)
        if named_graphs is not None:
            data["named-graph-uri"] = list(named_graphs)
        # CSV cannot be read back, so with a row cap ask for TSV and write the CSV here.
        ask = "text/tab-separated-values" if accept == "text/csv" and row_limit is not None else accept
        try:
            response = self._http.post(self.query_url, data=data, headers={"Accept": ask},
                                       timeout=timeout if timeout else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException as err:
            raise QueryTimeout(f"query timed out after {timeout:g} s ({self.query_url})") from err
        except httpx.HTTPError as err:
            raise StoreError(f"{self.query_url}: {err}") from err
        if response.status_code == 400:
            raise QuerySyntaxError(response.text.strip()[:1000] or "bad query")
        if response.status_code >= 400:
            raise StoreError(f"{self.query_url}: HTTP {response.status_code}: {response.text.strip()[:300]}")
        media = response.headers.get("content-type", ask).split(";")[0].strip().lower()
        if row_limit is None or (media not in RESULT_MEDIA_TYPES and media not in GRAPH_MEDIA_TYPES):
            return RawResult(media, response.content)
        return _cap(response.content, media, accept if ask != accept else media, row_limit)

    def update(self, update: str) -> None:
        self._post(self.update_url, {"update": update}, "*/*")

    def graphs(self) -> list[str]:
        data = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(b["g"]["value"] for b in data["results"]["bindings"])

    @property
    def graph_store_url(self) -> str:
        """Oxigraph's Graph Store: ``/store`` beside ``/query``."""
        base = self.query_url.rstrip("/")
        return (base[: -len("/query")] if base.endswith("/query") else base) + "/store"

    def post_nquads(self, data: bytes, url: str | None = None) -> None:
        """Add N-Quads (named graphs kept) with one POST to a Graph Store that takes datasets
        (an Oxigraph server's ``/store``, by default): the server's bulk HTTP load."""
        self._send("POST", url or self.graph_store_url, data, "application/n-quads")

    def put_graph(self, graph_iri: str, ntriples: bytes, url: str) -> None:
        """Replace one named graph by N-Triples with SPARQL 1.1 Graph Store Protocol's PUT to
        ``url?graph=IRI`` (Virtuoso: ``/sparql-graph-crud``)."""
        self._send("PUT", url, ntriples, "application/n-triples", {"graph": graph_iri})

    def _send(self, method: str, url: str, data: bytes, media: str, params: dict | None = None) -> None:
        import httpx

        try:
            response = self._http.request(method, url, content=data, params=params,
                                          headers={"Content-Type": media}, timeout=max(600.0, len(data) / 1e5))
        except httpx.HTTPError as err:
            raise StoreError(f"{url}: {err}") from err
        if response.status_code >= 400:
            raise StoreError(f"{url}: HTTP {response.status_code}: {response.text.strip()[:300]}")

    def close(self) -> None:
        self._http.close()


def open_store(location: str | Path, read_only: bool = False, wait: float = 0.0,
               on_wait: "Callable[[str], None] | None" = None) -> Store:
    """Open the store at a folder (embedded) or an http(s) URL (remote endpoint).

    An embedded store is shared between processes by turns: ``wait`` seconds for another
    process to finish with it (``on_wait`` is told once), then :class:`StoreBusy`.
    """
    text = str(location)
    if text.startswith(("http://", "https://")):
        return RemoteStore(text)
    return EmbeddedStore(text, read_only=read_only, wait=wait, on_wait=on_wait)


def open_reader(location: str | Path, wait: float = 0.0,
                on_wait: "Callable[[str], None] | None" = None) -> Store:
    """A store to read from, never waiting for a writer when there is a snapshot to read.

    A URL is a remote endpoint. An embedded store that no process writes is opened read-only
    (it then waits for nobody, and holds back writers until closed, as before). While another
    process writes it (an ingest, a server with a token), the newest snapshot that writer
    published is read instead (``on_wait`` is told so); without one, wait up to ``wait``
    seconds as :func:`open_store` does.
    """
    from kg.snapshots import current_generation

    text = str(location)
    if text.startswith(("http://", "https://")):
        return RemoteStore(text)
    path = Path(text)
    if not path.is_dir():
        raise StoreError(f"{path}: no store here (run `kg ingest` first)")
    try:
        return EmbeddedStore(path, read_only=True)
    except StoreBusy as busy:
        if current_generation(path) is None:
            if wait <= 0:
                raise busy
            return EmbeddedStore(path, read_only=True, wait=wait, on_wait=on_wait)
        if on_wait:
            on_wait(f"{path}: another process is writing the store ({lock_holder(path)}); "
                    "reading the snapshot it last published")
        return WorkerStore(path, snapshots=True)


def open_snapshots(location: str | Path, wait: float = 0.0,
                   on_wait: "Callable[[str], None] | None" = None) -> "WorkerStore":
    """The newest published snapshot of an embedded store, publishing one first when the
    store has none (or unpublished writes) and nobody writes it: what ``kg serve`` without a
    token reads, so that an ingest can write the store meanwhile."""
    from kg.snapshots import ensure_published

    path = Path(str(location))
    if not path.is_dir():
        raise StoreError(f"{path}: no store here (run `kg ingest` first)")
    try:
        ensure_published(path, wait=wait, on_wait=on_wait)
    except OSError as err:
        raise StoreError(f"{path}: cannot publish a snapshot ({_first_line(err)})") from err
    return WorkerStore(path, snapshots=True)


def nt_to_nquads(data: bytes, graph_iri: str) -> bytes:
    r"""N-Triples (one triple per line, each ending in `` .``) as N-Quads in ``graph_iri``.

    Text as this project writes it (every line ends in `` .\n``: a literal cannot hold a raw
    line break, so no other ``\n`` exists) is converted by one ``bytes.replace``; anything
    else (comments, blank lines, ``\r\n``, no space before the dot) line by line."""
    suffix = f" <{graph_iri}> .\n".encode("utf-8")
    if data.endswith(b" .\n") and data.count(b"\n") == data.count(b" .\n") and not data.startswith(b"#"):
        return data.replace(b" .\n", suffix)
    lines = [line.rstrip() for line in data.splitlines()]
    return b"".join(line[:-1].rstrip() + suffix for line in lines if line and not line.startswith(b"#"))


def term_of(binding: dict | None) -> Node | None:
    """An rdflib term from one value of the SPARQL JSON results format."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind in ("literal", "typed-literal"):
        datatype = binding.get("datatype")
        return Literal(value, lang=binding.get("xml:lang"), datatype=URIRef(datatype) if datatype else None)
    from rdflib import BNode

    return BNode(value)


def rows(results: dict) -> Iterable[dict[str, str]]:
    """Plain rows (variable -> lexical value) of a SPARQL JSON result."""
    for binding in results.get("results", {}).get("bindings", []):
        yield {name: value["value"] for name, value in binding.items()}


def _pick(accept: str, types: dict[str, str]) -> str:
    return accept if accept in types else next(iter(types))


def _results_format(media: str):
    import pyoxigraph

    return getattr(pyoxigraph.QueryResultsFormat, RESULT_MEDIA_TYPES[media])


def _graph_format(media: str):
    import pyoxigraph

    return getattr(pyoxigraph.RdfFormat, GRAPH_MEDIA_TYPES[media])


def _json_term(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                             "predicate": _json_term(term.predicate),
                                             "object": _json_term(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _serialize_solutions(variables: list[str], solutions: list, media: str) -> bytes:
    """Serialise pyoxigraph solutions (already fetched) in one SPARQL results format."""
    import pyoxigraph

    bindings = []
    for solution in solutions:
        row = {}
        for name in variables:
            value = solution[name]
            if value is not None:
                row[name] = _json_term(value)
        bindings.append(row)
    body = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")
    if media == RESULTS_JSON:
        return body
    parsed = pyoxigraph.parse_query_results(body, pyoxigraph.QueryResultsFormat.JSON)
    return parsed.serialize(format=_results_format(media))


def _serialize_triples(items: list, media: str) -> bytes:
    import pyoxigraph

    if media == "application/n-quads":
        items = [pyoxigraph.Quad(t.subject, t.predicate, t.object) if isinstance(t, pyoxigraph.Triple)
                 else t for t in items]
    else:
        items = [t.triple if isinstance(t, pyoxigraph.Quad) else t for t in items]
    return pyoxigraph.serialize(items, format=_graph_format(media))


def _cap(body: bytes, media: str, want: str, row_limit: int) -> RawResult:
    """Cut a serialised answer to ``row_limit`` rows or triples, rewriting it as ``want``."""
    import pyoxigraph

    try:
        if media in RESULT_MEDIA_TYPES:
            parsed = pyoxigraph.parse_query_results(body, _results_format(media))
            if isinstance(parsed, pyoxigraph.QueryBoolean):
                return RawResult(want, parsed.serialize(format=_results_format(want)))
            variables = [v.value for v in parsed.variables]
            rows = [row for _, row in zip(range(row_limit + 1), parsed)]
            if len(rows) <= row_limit and want == media:
                return RawResult(media, body)
            return RawResult(want, _serialize_solutions(variables, rows[:row_limit], want),
                             len(rows) > row_limit)
        items = [q for _, q in zip(range(row_limit + 1), pyoxigraph.parse(body, format=_graph_format(media)))]
    except (SyntaxError, ValueError) as err:
        raise StoreError(f"cannot read the endpoint's answer as {media}: {_first_line(err)}") from err
    if len(items) <= row_limit:
        return RawResult(media, body)
    return RawResult(want, _serialize_triples(items[:row_limit], want), True)


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]
