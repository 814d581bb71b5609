"""N-Quads shards: what ``kg extract-all`` writes and ``kg load`` reads.

A shard folder holds ``part-NNNNN.nq`` files, one per write batch; each report's named graph
is whole in one shard (so a Graph Store Protocol PUT of it replaces the graph). A shard is
written to a hidden temporary name and renamed when complete: a run that stops midway leaves
only whole shards. Bulk loaders read the files as they are (Oxigraph, Virtuoso, QLever,
GraphDB all read N-Quads).

:func:`load_shards` puts a folder of shards into a store: the embedded store with Oxigraph's
bulk loader, an Oxigraph server with one POST of each shard to its ``/store``, or any SPARQL 1.1
Graph Store Protocol endpoint with one PUT per named graph.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.store import EmbeddedStore, RemoteStore, Store, StoreError, nt_to_nquads

SHARD_GLOB = "part-*.nq"


class ShardError(RuntimeError):
    """A shard folder cannot be written or read (one line)."""


class ShardWriter:
    """Writes batches of report graphs as N-Quads shards into ``folder`` (created if need be;
    refused when it already holds shards, so that two runs never mix)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ShardError(f"{self.folder}: cannot make the output folder ({err.strerror or err})") from err
        if not self.folder.is_dir():
            raise ShardError(f"{self.folder}: not a folder")
        if any(self.folder.glob(SHARD_GLOB)):
            raise ShardError(f"{self.folder}: already holds N-Quads shards; give an empty or new folder")
        self.count = 0
        self.quads = 0
        self.location = str(self.folder)

    def write(self, items: Iterable[tuple[str, bytes]]) -> Path:
        """One shard from (graph IRI, N-Triples) pairs; raises OSError when it cannot be written."""
        data = b"".join(nt_to_nquads(ntriples, iri) for iri, ntriples in items)
        path = self.folder / f"part-{self.count:05d}.nq"
        temporary = self.folder / f".{path.name}.tmp"
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        self.count += 1
        self.quads += data.count(b"\n")
        return path

    def close(self) -> None:
        pass

    def __enter__(self) -> "ShardWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def shard_files(folder: str | Path) -> list[Path]:
    """The shards of a folder, in order (a single .nq file is a folder of one)."""
    path = Path(folder)
    if path.is_file() and path.suffix == ".nq":
        return [path]
    if not path.is_dir():
        raise ShardError(f"{path}: no such folder")
    files = sorted(path.glob(SHARD_GLOB)) or sorted(path.glob("*.nq"))
    if not files:
        raise ShardError(f"{path}: no N-Quads shards (*.nq) here")
    return files


def graphs_of(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(graph IRI, N-Triples) for each named graph of an N-Quads text, in first-seen order. A
    quad in the default graph is refused: report graphs are named."""
    import pyoxigraph as ox

    groups: dict[str, list] = {}
    try:
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise ShardError(f"a quad outside any named graph ({quad.subject} {quad.predicate} …)")
            groups.setdefault(quad.graph_name.value, []).append(quad.triple)
    except SyntaxError as err:
        raise ShardError(f"not N-Quads: {str(err).splitlines()[0]}") from err
    for iri, triples in groups.items():
        yield iri, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


@dataclass
class Loaded:
    shards: int = 0
    quads: int = 0
    graphs: int = 0


def load_shards(folder: str | Path, store: Store, graph_store: str | None = None,
                on_shard: Callable[[Path, int], None] | None = None) -> Loaded:
    """Load every shard of ``folder`` into ``store`` (see the module doc). ``graph_store`` is a
    Graph Store Protocol URL (Virtuoso: ``http://host:8890/sparql-graph-crud``): each named graph
    is PUT there (replaced whole). Without it a remote store gets each shard POSTed to its
    Oxigraph-style ``/store``. Raises ShardError or StoreError naming the shard."""
    loaded = Loaded()
    for path in shard_files(folder):
        try:
            quads = _load_one(path, store, graph_store, loaded)
        except (StoreError, ShardError, OSError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else err
            raise ShardError(f"{path}: not loaded ({reason})") from err
        loaded.shards += 1
        loaded.quads += quads
        if on_shard:
            on_shard(path, quads)
    return loaded


def _load_one(path: Path, store: Store, graph_store: str | None, loaded: Loaded) -> int:
    if isinstance(store, EmbeddedStore) and not graph_store:
        quads = _count_lines(path)
        store.bulk_load(path)
        return quads
    if not isinstance(store, RemoteStore):
        raise ShardError(f"cannot bulk load into {type(store).__name__}")
    data = path.read_bytes()
    if graph_store:
        quads = 0
        for iri, ntriples in graphs_of(data):
            store.put_graph(iri, ntriples, graph_store)
            loaded.graphs += 1
            quads += ntriples.count(b"\n")
        return quads
    store.post_nquads(data)
    return data.count(b"\n")


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return count
