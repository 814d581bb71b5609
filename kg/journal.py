"""The bulk-load journal of an embedded store: graphs being written by Oxigraph's bulk loader,
so that a writer killed in the middle of a batch leaves no part of it behind.

Oxigraph's bulk loader (``Store.bulk_load``) writes sorted table files straight into RocksDB:
two to three times cheaper than a transaction, but neither atomic nor isolated. Batch ingest
uses it only for graphs the store does not hold yet, and only inside this protocol:

1. the IRIs of the batch's new graphs are written to ``<store>.journal`` (and synced);
2. the bulk loader adds their quads; the full-text index gets their entries;
3. the journal is removed.

A writer that dies before step 3 leaves the journal. The next writer to open the store (or
:func:`kg.snapshots.ensure_published`, before it publishes for a dead writer) removes every
graph the journal names, from the store and from the index: the batch is absent, the graphs
stored before it untouched (the journal only ever names graphs that were new). Readers of other
processes read published snapshots (:mod:`kg.snapshots`), which are made between batches, so
they never see a batch half loaded either.
"""
from __future__ import annotations

import os
from pathlib import Path


def journal_path(store_path: str | Path) -> Path:
    path = Path(store_path)
    return path.with_name(path.name + ".journal")


def begin(store_path: str | Path, graphs: list[str]) -> None:
    """Note the graphs about to be bulk-loaded, durably, before any of their quads is written."""
    path = journal_path(store_path)
    staging = path.with_name(path.name + ".tmp")
    with open(staging, "w", encoding="utf-8") as out:
        out.write("".join(iri + "\n" for iri in graphs))
        out.flush()
        os.fsync(out.fileno())
    os.replace(staging, path)


def end(store_path: str | Path) -> None:
    """The batch is whole in the store and the index: forget it."""
    journal_path(store_path).unlink(missing_ok=True)


def pending(store_path: str | Path) -> list[str]:
    """The graphs of a batch that was being bulk-loaded when its writer stopped (none if the
    last batch ended)."""
    try:
        text = journal_path(store_path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line for line in text.splitlines() if line]


def undo(ox_store, store_path: str | Path, index=None) -> list[str]:
    """Remove the graphs of an unfinished bulk batch from the pyoxigraph store ``ox_store``
    (opened read-write at ``store_path``, by its one writer) and from the full-text index beside
    it (``index``, the writer's open :class:`kg.search.SearchIndex`, else opened here when there
    is one), then forget the batch. Returns the graph IRIs removed."""
    import pyoxigraph

    from kg.search import SearchIndex, index_path

    graphs = pending(store_path)
    if not graphs:
        end(store_path)  # an empty journal: nothing was written under it
        return []
    for iri in graphs:
        ox_store.remove_graph(pyoxigraph.NamedNode(iri))
    ox_store.flush()
    opened = index is None and index_path(store_path).exists()
    if opened:
        index = SearchIndex(store_path, writable=True)
    try:
        for iri in graphs if index is not None else ():
            index.drop(iri)
    finally:
        if opened:
            index.close()
    end(store_path)
    return graphs
