"""Word lists the extractor's rules read (one word a line, ``#`` comments, optional tab-separated kind).

* ``genres.tsv``: genre words of screen, stage, music, art and print, with the level they give
  a 《》 title next to them (creative-work or publication).
* ``modifiers.txt``: quantities and praise that may stand between 等 and a genre word.
* ``governing_verbs.tsv``: verbs that govern an unbracketed law or regulation, ``make`` or ``apply``.
* ``ordinary_fa.txt``: words ending in 法 that are not laws (执法, 做法).
* ``determiners.txt``: words that start a phrase about rules or open a clause, never a title (相关, 推动).
* ``core_laws.tsv``: laws every report cites, found by name without the authority list.
* ``awards.txt``: prizes of stage, screen and print (a title that wins one is a work).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def entries(name: str) -> tuple[tuple[str, str], ...]:
    """(word, kind) pairs of a lexicon file; kind is "" when the file has one column."""
    out = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, kind = line.partition("\t")
        out.append((word.strip(), kind.strip()))
    return tuple(out)


def words(name: str) -> tuple[str, ...]:
    return tuple(w for w, _ in entries(name))


def kinds(name: str) -> dict[str, str]:
    return dict(entries(name))


def alternation(items) -> str:
    """A regex alternation of the words, longest first (so 长篇小说 wins over 小说)."""
    return "|".join(re.escape(w) for w in sorted(set(items), key=len, reverse=True))
