"""Why a document got its level: one line per document of a report (``kg extract FILE --explain``).

    福建省民营经济促进条例  local-regulation  head 条例 + issuer 福建省 (province)
"""
from __future__ import annotations

from kg.authority import Authority
from kg.extract import extract
from kg.read import Report
from kg.resolve import resolve


def explain_levels(report: Report, authority: Authority | None = None) -> list[str]:
    """``title  level  rule`` for each document the report cites, in the order they first appear."""
    ex = extract(report)
    res = resolve(ex, authority)
    docs = sorted(res.documents, key=lambda d: min(ex.documents[i].start for i in d.mentions))
    return [f"{d.title}  {d.level}  {d.level_rule}" for d in docs]
