"""Browser-facing safety: the security headers of every answer and the links pages may make.

:class:`SecurityHeaders` (one ASGI middleware, outermost) adds ``X-Content-Type-Options:
nosniff`` to every answer and, to HTML ones, ``X-Frame-Options: DENY`` and a
Content-Security-Policy (:data:`DEFAULT_POLICY` unless the route set its own). No policy allows
inline script except by hash: a route that writes an inline ``<script>`` or ``<style>`` lists
its hashes with :func:`policy` (the hashes of the page's own, fixed blocks, computed once).

:func:`safe_href` decides what becomes a link on a page: only http(s) IRIs
(kg.urls.is_source_url) and the server's own paths; a ``javascript:`` or ``data:`` IRI that a
store written by an older version or by SPARQL UPDATE may hold is shown as text.
"""
from __future__ import annotations

import base64
import hashlib
import re

from kg.urls import is_source_url

# Answers that run nothing and cannot be framed; images and styles from this server only.
BASE_POLICY = {"default-src": ["'none'"], "base-uri": ["'none'"], "form-action": ["'self'"],
               "frame-ancestors": ["'none'"], "object-src": ["'none'"]}
DEFAULT_POLICY = "; ".join(f"{k} {' '.join(v)}" for k, v in
                           {**BASE_POLICY, "img-src": ["'self'"], "style-src": ["'self'"]}.items())
_BLOCK = {tag: re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL) for tag in ("script", "style")}


def source_hash(text: str) -> str:
    """The CSP source expression that allows the inline block ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def inline_blocks(html: str, tag: str) -> list[str]:
    """The contents of the attribute-less inline ``<tag>`` blocks of a page template of ours."""
    return _BLOCK[tag].findall(html)


def policy(scripts: list[str] = (), styles: list[str] = (), **sources: list[str]) -> str:
    """A Content-Security-Policy on BASE_POLICY that allows the given inline scripts and styles
    by hash, plus ``sources`` (directive with underscores, e.g. ``connect_src=["'self'"]``)."""
    directives = {**BASE_POLICY, "img-src": ["'self'"]}
    for name, values in sources.items():
        directives[name.replace("_", "-")] = list(values)
    if scripts:
        directives["script-src"] = directives.get("script-src", []) + [source_hash(s) for s in scripts]
    if styles:
        directives["style-src"] = directives.get("style-src", []) + [source_hash(s) for s in styles]
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def safe_href(target: str, base: str, own_prefix: str) -> str | None:
    """The href for an IRI on a page: this server's path for IRIs under ``own_prefix``, the IRI
    itself if it is http(s), else None (show it as text)."""
    if target.startswith(own_prefix):
        return base + "/id/" + target[len(own_prefix):]
    return target if is_source_url(target) else None


class SecurityHeaders:
    """Add nosniff to every answer; to HTML answers also X-Frame-Options DENY and, unless the
    route chose one, the default Content-Security-Policy."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if ctype.lower().startswith(b"text/html"):
                    if b"x-frame-options" not in names:
                        headers.append((b"x-frame-options", b"DENY"))
                    if b"content-security-policy" not in names:
                        headers.append((b"content-security-policy", DEFAULT_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
