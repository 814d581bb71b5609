"""A full-text index beside an embedded store: labels and evidence sentences, found by any
substring (Chinese has no spaces to split words at), in milliseconds at any store size.

A text held by many report graphs (an agency's name in each of its reports) is one entry,
with the graphs that hold it as members; labels and sentences have FTS5 tables of their own, so
that labels come first without sorting every hit. Hits come in the order they were indexed; a
query that matches more than ``COUNT_CAP`` entries of a kind counts ``COUNT_CAP`` of them (the
search says so: ``capped``).

The index is an SQLite database ``<store>.search.sqlite`` with an FTS5 table. Each text is
indexed as its overlapping character bigrams (光明区司法局 → 光明 明区 区司 司法 法局 局), so a
query of two or more characters is the phrase of its bigrams (an exact substring match) and a
query of one character is a prefix query. Bigrams are written as hex tokens of their UTF-16 code
units (光明 → ``5149660e``), so FTS5's tokenizer keeps each one whole whatever characters it holds
(the hex is made by ``bytes.hex`` and the pairs by ``map``: no Python step a character). A
character outside the Basic Multilingual Plane is two code units, and is matched as such. The
FTS tables are contentless (the tokens are not stored twice: the text is in ``entries``, and a
text's tokens are made again to delete it). The form is the index's ``format`` (``FORMAT``): an
index of another format is emptied and stale until ``kg index`` rebuilds it. Texts are folded (NFKC, case) before
indexing and searching, as the scan it replaces (``CONTAINS(LCASE(…))``) did.

What is indexed, per report graph: every ``rdfs:label`` and ``skos:prefLabel`` (kind ``label``, with the node's
``rdf:type``) and every evidence sentence (``nif:anchorOf`` of a ``nif:Sentence``, kind
``evidence``, with the report it is part of). The writer replaces a graph's entries in the same
step as the graph (``EmbeddedStore.bulk_replace``); a SPARQL UPDATE, which may change anything,
marks the index stale, and a stale index is not used until ``kg index --store DIR`` rebuilds it.
"""
from __future__ import annotations

import re
import sqlite3
import unicodedata
from contextlib import contextmanager
from itertools import chain, islice
from operator import add
from pathlib import Path
from typing import Iterable, Iterator

PROLOGUE = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>\n"
            "PREFIX dcterms: <http://purl.org/dc/terms/>\n")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
NIF_SENTENCE = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence"
NIF_ANCHOR = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"
IS_PART_OF = "http://purl.org/dc/terms/isPartOf"
PKG = "https://w3id.org/policy-kg/ontology#"


def _type_rank(type_iri: str) -> tuple[bool, str]:
    """Which of a node's types its index entry keeps: the least by this key (the model's own
    classes first, then by IRI), so that the entry is the same whatever order the triples come
    in (a build's order at ingest, the store's at ``kg index``): a party body, typed
    ``pkg:Agency`` and ``pkg:PartyBody``, is an Agency."""
    return (not type_iri.startswith(PKG), type_iri)

# One N-Triples line: subject IRI, predicate IRI, object (IRI or literal), " .".
_LINE = re.compile(r'^<([^>]*)> <([^>]*)> (?:<([^>]*)>|"((?:[^"\\]|\\.)*)"(?:@[\w-]+|\^\^<[^>]*>)?) \.\s*$')
_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))')
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY, s TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
    type TEXT, report TEXT, UNIQUE (s, kind, text));
CREATE TABLE IF NOT EXISTS members (graph TEXT NOT NULL, entry INTEGER NOT NULL, PRIMARY KEY (graph, entry))
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_entry ON members(entry);
CREATE VIRTUAL TABLE IF NOT EXISTS label_grams USING fts5(tokens, content='', columnsize=0, tokenize='ascii');
CREATE VIRTUAL TABLE IF NOT EXISTS evidence_grams USING fts5(tokens, content='', columnsize=0, tokenize='ascii');
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""
FORMAT = "utf16-bigrams/contentless"  # the index's form in this version (state key 'format')
COUNT_CAP = 10000  # hits counted at most; past it the total is a lower bound
_FTS = {"label": "label_grams", "evidence": "evidence_grams"}


def index_path(store_path: str | Path) -> Path:
    path = Path(store_path)
    return path.with_name(path.name + ".search.sqlite")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _units(folded: str) -> list[str]:
    """The UTF-16 code units of a folded text, each as 4 hex digits."""
    return folded.encode("utf-16-be").hex(" ", 2).split(" ") if folded else []


def _pairs(units: list[str]):
    """The bigram tokens of a text's code units: each unit joined with the next."""
    return map(add, units, islice(units, 1, None))


def grams(text: str) -> str:
    """The text as space-separated hex tokens of its bigrams (and its last character)."""
    units = _units(fold(text))
    if not units:
        return ""
    return " ".join(chain(_pairs(units), (units[-1],)))


def match_expression(query: str) -> str | None:
    """The FTS5 query for a substring, or None for an empty one."""
    units = _units(fold(query))
    if not units:
        return None
    if len(units) == 1:
        return units[0] + "*"
    return '"' + " ".join(_pairs(units)) + '"'


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2))
                       else _SIMPLE.get(m.group(3), m.group(3)), text)


def _lines(text: str) -> Iterator[tuple[str, str, str | None, str | None]]:
    """(subject, predicate, object IRI or None, literal as written or None) of the N-Triples lines
    that can make an index row (IRI subjects, the predicates :func:`_rows` reads)."""
    for line in text.splitlines():
        if (RDFS_LABEL not in line and SKOS_PREF not in line and NIF_ANCHOR not in line and RDF_TYPE not in line
                and IS_PART_OF not in line):
            continue
        match = _LINE.match(line)
        if match:
            yield match.groups()


def _rows(triples: Iterable[tuple[str, str, str | None, str | None]]) -> list[tuple[str, str, str, str | None, str | None]]:
    """(s, kind, text, type, report) of a graph's triples, given in the order of its text as
    (subject, predicate, object IRI or None, literal as written or None): every label (the
    node's type by :func:`_type_rank`) in that order, then every sentence with its text."""
    labels: list[tuple[str, str]] = []
    anchors: dict[str, str] = {}
    types: dict[str, str] = {}
    sentences: set[str] = set()
    part_of: dict[str, str] = {}
    for s, p, o_iri, o_lit in triples:
        if p in (RDFS_LABEL, SKOS_PREF) and o_lit is not None:
            labels.append((s, _unescape(o_lit)))
        elif p == NIF_ANCHOR and o_lit is not None:
            anchors[s] = _unescape(o_lit)
        elif p == RDF_TYPE and o_iri is not None:
            if o_iri == NIF_SENTENCE:
                sentences.add(s)
            elif s not in types or _type_rank(o_iri) < _type_rank(types[s]):
                types[s] = o_iri
        elif p == IS_PART_OF and o_iri is not None:
            part_of[s] = o_iri
    out = [(s, "label", label, types.get(s), None) for s, label in labels]
    out += [(s, "evidence", anchors[s], None, part_of.get(s)) for s in sorted(sentences) if s in anchors]
    return out


def entries_of(ntriples: str | bytes) -> list[tuple[str, str, str, str | None, str | None]]:
    """(s, kind, text, type, report) of one graph's N-Triples: its labels and sentences."""
    return _rows(_lines(ntriples.decode("utf-8") if isinstance(ntriples, bytes) else ntriples))


_READ = {f"<{p}>": p for p in (RDFS_LABEL, SKOS_PREF, NIF_ANCHOR, RDF_TYPE, IS_PART_OF)}  # term → IRI


def _terms(triples) -> Iterator[tuple[str, str, str | None, str | None]]:
    """What :func:`_lines` reads from the text, read from a ReportTriples' subject → predicate →
    objects index instead, in the order of its text."""
    from kg.graph.shacl_compiled import split_literal

    for s_term, d in triples.index.items():
        if not s_term.startswith("<"):  # a blank node: the text's lines of it are not read either
            continue
        s = s_term[1:-1]
        for p_term, objects in d.items():
            p = _READ.get(p_term)
            if p is None:
                continue
            for o in objects:
                if o.startswith("<"):
                    yield s, p, o[1:-1], None
                elif o.startswith('"'):
                    yield s, p, None, split_literal(o)[0]


def prepared_entries(triples) -> list[tuple[str, str, str, str | None, str | None, str]]:
    """The rows :func:`entries_of` reads from a graph's N-Triples, read from a
    :class:`kg.graph.triples.ReportTriples` instead (no text to parse), each with its FTS tokens
    (:func:`grams`) as a sixth field. Ingest workers make them, so that the writer only inserts
    them."""
    return [row + (grams(row[2]),) for row in _rows(_terms(triples))]


class SearchIndex:
    """The index of one embedded store (``writable``: the store's writer keeps it)."""

    def __init__(self, store_path: str | Path, writable: bool = False):
        self.capped = False  # whether the last search counted past COUNT_CAP
        self.path = index_path(store_path)
        self.writable = writable
        if writable:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._check_format()
        else:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    @classmethod
    def open_for_reading(cls, store_path: str | Path) -> "SearchIndex | None":
        """The index if it exists and is fresh, else None (search then scans the store)."""
        if not index_path(store_path).is_file():
            return None
        try:
            index = cls(store_path)
            return index if index.fresh() else None
        except sqlite3.Error:
            return None

    def _check_format(self) -> None:
        """A new index takes this version's form; one of another form (made by an older
        version) is emptied and made again, stale: searches scan the store until ``kg index``
        rebuilds it."""
        db = self._db
        row = db.execute("SELECT value FROM state WHERE key = 'format'").fetchone()
        if row is not None and row[0] == FORMAT:
            return
        if row is not None or db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None:
            for table in ("label_grams", "evidence_grams", "members", "entries", "state"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.executescript(SCHEMA)
            db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('stale', 'made by an older version')")
        db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('format', ?)", (FORMAT,))

    def fresh(self) -> bool:
        try:
            state = dict(self._db.execute("SELECT key, value FROM state WHERE key IN ('stale', 'format')"))
        except sqlite3.Error:
            return False
        return "stale" not in state and state.get("format") == FORMAT

    def replace(self, graphs: Iterable[tuple[str, str | bytes | list]]) -> None:
        """Replace the entries of these graphs, in one transaction: (graph IRI, N-Triples), or
        (graph IRI, its rows from :func:`prepared_entries`). A text several graphs hold (an
        agency's name in every report of it) is indexed once."""
        db = self._db
        texts: dict[str, list[tuple[int, str]]] = {"label": [], "evidence": []}  # new entries' tokens
        members: list[tuple[str, int]] = []
        with self._transaction():
            for graph, content in graphs:
                self._drop(graph)
                found = content if isinstance(content, list) else entries_of(content)
                for row in found:
                    added = db.execute("INSERT OR IGNORE INTO entries (s, kind, text, type, report) "
                                       "VALUES (?, ?, ?, ?, ?)", row[:5])
                    if added.rowcount == 1:
                        entry = added.lastrowid
                        texts[row[1]].append((entry, row[5] if len(row) > 5 else grams(row[2])))
                    else:
                        entry = db.execute("SELECT id FROM entries WHERE s = ? AND kind = ? AND text = ?",
                                           row[:3]).fetchone()[0]
                    members.append((graph, entry))
            for kind, rows in texts.items():  # one statement a table: FTS5 writes a segment a statement
                if rows:
                    db.executemany(f"INSERT INTO {_FTS[kind]} (rowid, tokens) VALUES (?, ?)", rows)
            db.executemany("INSERT OR IGNORE INTO members (graph, entry) VALUES (?, ?)", members)

    def _drop(self, graph: str) -> None:
        """Forget a graph; texts no other graph holds leave the index."""
        db = self._db
        entries = [row[0] for row in db.execute("SELECT entry FROM members WHERE graph = ?", (graph,))]
        if not entries:
            return
        db.execute("DELETE FROM members WHERE graph = ?", (graph,))
        for entry in entries:
            if db.execute("SELECT 1 FROM members WHERE entry = ? LIMIT 1", (entry,)).fetchone():
                continue
            row = db.execute("SELECT kind, text FROM entries WHERE id = ?", (entry,)).fetchone()
            if row is not None:  # a contentless FTS row is deleted with the tokens it was given
                table = _FTS[row[0]]
                db.execute(f"INSERT INTO {table} ({table}, rowid, tokens) VALUES ('delete', ?, ?)",
                           (entry, grams(row[1])))
                db.execute("DELETE FROM entries WHERE id = ?", (entry,))

    def drop(self, graph: str) -> None:
        with self._transaction():
            self._drop(graph)

    def has_entries(self) -> bool:
        return self._db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None

    def mark_stale(self) -> None:
        self._db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('stale', 'a SPARQL update')")

    def rebuild(self, graphs: Iterator[tuple[str, str | bytes]]) -> int:
        """Empty the index, index every graph given, mark it fresh; returns the graphs indexed."""
        db = self._db
        for table in _FTS.values():
            db.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
        for table in ("members", "entries"):
            db.execute(f"DELETE FROM {table}")
        count = 0
        batch: list[tuple[str, str | bytes]] = []
        for item in graphs:
            batch.append(item)
            count += 1
            if len(batch) >= 256:
                self.replace(batch)
                batch = []
        if batch:
            self.replace(batch)
        db.execute("DELETE FROM state WHERE key = 'stale'")
        db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('format', ?)", (FORMAT,))
        return count

    def search(self, query: str, limit: int, offset: int) -> tuple[int, list[dict[str, str | None]], bool]:
        """(total, rows, exact) for a substring: labels first, then evidence sentences, each in
        the order they were indexed. The total counts at most COUNT_CAP hits of each kind;
        ``exact`` is False when it stopped there (the total is then a lower bound)."""
        expression = match_expression(query)
        if expression is None:
            return 0, [], True
        db = self._db
        counts = {kind: db.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)",
                                   (expression, COUNT_CAP + 1)).fetchone()[0] for kind, table in _FTS.items()}
        self.capped = any(n > COUNT_CAP for n in counts.values())
        total = sum(min(n, COUNT_CAP) for n in counts.values())
        found: list[dict[str, str | None]] = []
        skip, want = int(offset), int(limit)
        for kind, table in _FTS.items():
            if want <= 0:
                break
            known = counts[kind] <= COUNT_CAP  # else: more than counted, the true count unknown
            if known and skip >= counts[kind]:
                skip -= counts[kind]
                continue
            rows = db.execute(
                f"SELECT e.s, e.kind, e.text, e.type, e.report FROM (SELECT rowid FROM {table} WHERE {table} MATCH ? "
                f"ORDER BY rowid LIMIT ? OFFSET ?) AS m JOIN entries e ON e.id = m.rowid ORDER BY e.id",
                (expression, want, skip)).fetchall()
            if known or len(rows) == want:
                skip = 0
            else:  # paged past the end of a kind whose count was capped: count it to go on
                real = db.execute(f"SELECT COUNT(*) FROM {table} WHERE {table} MATCH ?", (expression,)).fetchone()[0]
                skip = max(0, skip - real)
            want -= len(rows)
            found += [{"s": s, "kind": k, "text": t, "type": typ, "report": rep} for s, k, t, typ, rep in rows]
        return total, found, not self.capped

    @contextmanager
    def _transaction(self):
        """One SQLite transaction: committed when the block ends, rolled back if it raises."""
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


def scan_where(query: str) -> str:
    """The SPARQL group pattern that finds the same hits by scanning every label and sentence
    (``?s ?kind ?text ?rank ?type ?report``): for a remote store, or while the index is stale."""
    from rdflib import Literal

    return f"""VALUES ?q {{ {Literal(query).n3()} }}
        {{ GRAPH ?g {{ ?s rdfs:label|skos:prefLabel ?text OPTIONAL {{ ?s a ?type }} }} BIND(1 AS ?rank) BIND("label" AS ?kind) }}
        UNION
        {{ GRAPH ?g {{ ?s a nif:Sentence ; nif:anchorOf ?text OPTIONAL {{ ?s dcterms:isPartOf ?report }} }}
           BIND(2 AS ?rank) BIND("evidence" AS ?kind) }}
        FILTER(CONTAINS(LCASE(STR(?text)), LCASE(STR(?q))))"""
