"""HTTP content negotiation: pick the media type to answer in from an Accept header.

``negotiate(accept, offers)`` honours q-values (``q=0`` refuses), wildcards (``text/*``,
``*/*``) and combined headers. Among equally good choices the more specific match wins,
then the one the client listed first, then the server's order of ``offers``.
``negotiate_language(accept_language, languages)`` does the same for Accept-Language.
"""
from __future__ import annotations

from dataclasses import dataclass

# Media types the SPARQL results and RDF formats answer in.
RESULT_TYPES = ["application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values"]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/n-quads",
               "application/ld+json", "application/rdf+xml"]

# Common names clients use for those formats.
RESULT_ALIASES = {"application/json": "application/sparql-results+json",
                  "application/xml": "application/sparql-results+xml",
                  "text/xml": "application/sparql-results+xml"}
GRAPH_ALIASES = {"application/json": "application/ld+json", "application/x-turtle": "text/turtle",
                 "application/turtle": "text/turtle", "text/plain": "application/n-triples",
                 "application/xml": "application/rdf+xml", "text/xml": "application/rdf+xml"}


@dataclass(frozen=True)
class MediaRange:
    type: str
    q: float
    position: int


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header (parameters other than q are ignored)."""
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(fields[0].lower(), q, position))
    return ranges


def _specificity(media_range: str, offer: str, aliases: dict[str, str]) -> int:
    """3 exact, 2 alias, 1 type/*, 0 */*, -1 no match."""
    if media_range == offer:
        return 3
    if aliases.get(media_range) == offer:
        return 2
    if media_range == "*/*":
        return 0
    if media_range.endswith("/*") and offer.startswith(media_range[:-1]):
        return 1
    return -1


def negotiate(header: str | None, offers: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The best of ``offers`` for ``header``; the first offer when no header; None if none fits."""
    ranges = parse_accept(header)
    if not ranges:
        return offers[0]
    aliases = aliases or {}
    best, best_key = None, None
    for rank, offer in enumerate(offers):
        matches = [(_specificity(r.type, offer, aliases), r) for r in ranges]
        matches = [(spec, r) for spec, r in matches if spec >= 0]
        if not matches:
            continue
        spec, chosen = max(matches, key=lambda m: (m[0], -m[1].position))
        if chosen.q <= 0:
            continue
        key = (chosen.q, spec, -chosen.position, -rank)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


def negotiate_language(header: str | None, offers: list[str] | tuple[str, ...]) -> str:
    """The best of ``offers`` (language tags, the default first) for an Accept-Language header:
    q-values honoured, ``en-US`` matches ``en``, ``*`` any; the first offer when nothing fits."""
    best, best_key = offers[0], None
    for rank, offer in enumerate(offers):
        for r in parse_accept(header):
            tag = r.type
            if tag == offer or tag.split("-")[0] == offer or tag == "*":
                key = (r.q, tag != "*", -r.position, -rank)
                if r.q > 0 and (best_key is None or key > best_key):
                    best, best_key = offer, key
    return best
