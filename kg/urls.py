"""Where a report was published: the only URLs that become links and ``dcterms:source`` IRIs.

A report's ``url`` (manifest column, upload field) is shown as a link on its page and stored
as an IRI. Only absolute ``http``/``https`` URLs with a host are taken: ``javascript:``,
``data:``, ``file:`` and the like would become live links (stored XSS) or point inside the
server. :func:`source_url` says why a value is refused, in one line.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

_SCHEMES = ("http", "https")
# IRI characters (RFC 3987) that a SPARQL engine and rdflib accept: no controls, spaces or <>"{}|\^`
_IRI = re.compile(r"[^\x00-\x20<>\"{}|\\^`\x7f-\x9f]+")


class BadURL(ValueError):
    """A report URL that is not an absolute http(s) URL."""


def source_url(value: str) -> str:
    """``value`` stripped, if it is an absolute http(s) URL with a host, else :class:`BadURL`
    with the reason. An empty value is returned as ``""`` (no URL)."""
    text = (value or "").strip()
    if not text:
        return ""
    shown = text[:200]
    if not _IRI.fullmatch(text):
        raise BadURL(f"url {shown!r} is not an IRI (percent-encode spaces and the characters <>\"{{}}|\\^`)")
    try:
        parts = urlsplit(text)
    except ValueError as err:
        raise BadURL(f"url {shown!r} is not a URL ({err})") from None
    if parts.scheme.lower() not in _SCHEMES:
        raise BadURL(f"url {shown!r} must start with http:// or https:// (not {parts.scheme or 'a relative path'!r})")
    if not parts.hostname:
        raise BadURL(f"url {shown!r} names no host")
    return text


def is_source_url(value: str) -> bool:
    """Whether ``value`` may become a link or a ``dcterms:source`` IRI (non-empty http(s))."""
    try:
        return bool(source_url(value))
    except BadURL:
        return False
