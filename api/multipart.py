"""A bounded multipart/form-data parser for ``POST /reports``.

The form has a handful of fields, so a body may have at most ``max_parts`` parts; a part may
not itself be a multipart (nested bodies are refused, not parsed: a recursive parser overflows
on thousands of levels) and its header block may not exceed MAX_HEADER_BYTES. The body is split
with ``bytes.find`` (linear, in C) and only each part's small header block goes through the
standard library's header parser, so a hostile body costs milliseconds, not seconds. Every
refusal is an :class:`MultipartError` with a one-line reason and the HTTP status to answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

MAX_HEADER_BYTES = 8 * 1024
MAX_BOUNDARY = 70  # RFC 2046


class MultipartError(ValueError):
    """A multipart body that is refused: ``status`` (400 or 413) and a one-line reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Part:
    """One part of a form: its field name, file name (if any), content type and bytes."""

    name: str | None
    filename: str | None
    content_type: str
    data: bytes


def _headers(block: bytes) -> EmailMessage:
    """The header block of a part (or a Content-Type line) as a message without a body."""
    return BytesParser(policy=HTTP).parsebytes(block + b"\r\n\r\n", headersonly=True)


def boundary_of(content_type: str) -> bytes:
    """The boundary of a ``multipart/form-data`` Content-Type, or MultipartError (400)."""
    message = _headers(b"Content-Type: " + content_type.encode("latin-1", errors="replace"))
    if message.get_content_type() != "multipart/form-data":
        raise MultipartError(400, "expected a multipart/form-data body")
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= MAX_BOUNDARY:
        raise MultipartError(400, f"the multipart/form-data Content-Type needs a boundary of 1 to "
                                  f"{MAX_BOUNDARY} characters")
    return boundary.encode("latin-1", errors="replace")


def parse_parts(content_type: str, body: bytes, max_parts: int) -> list[Part]:
    """The parts of a multipart/form-data ``body``; MultipartError past ``max_parts`` parts, for a
    nested multipart part, an oversized header block, or a body that is not well formed."""
    delimiter = b"--" + boundary_of(content_type)
    if body.startswith(delimiter):
        pos = len(delimiter)
    else:  # after a preamble
        start = body.find(b"\r\n" + delimiter)
        if start < 0:
            raise MultipartError(400, "the body has no part (no boundary line)")
        pos = start + 2 + len(delimiter)
    parts: list[Part] = []
    while not body.startswith(b"--", pos):  # "--" right after a boundary closes the body
        line_end = body.find(b"\r\n", pos)
        if line_end < 0 or body[pos:line_end].strip(b" \t"):
            raise MultipartError(400, "a boundary line is not followed by a line break")
        pos = line_end + 2
        end = body.find(b"\r\n" + delimiter, pos)
        if end < 0:
            raise MultipartError(400, "the body ends before its closing boundary")
        if len(parts) == max_parts:
            raise MultipartError(413, f"the upload has more than {max_parts} parts (the form has a "
                                      "file and a few text fields)")
        parts.append(_part(body[pos:end], len(parts) + 1))
        pos = end + 2 + len(delimiter)
    return parts


def _part(raw: bytes, number: int) -> Part:
    if raw.startswith(b"\r\n"):
        head, data = b"", raw[2:]
    else:
        head, sep, data = raw.partition(b"\r\n\r\n")
        if not sep and len(raw) > MAX_HEADER_BYTES:
            raise MultipartError(400, f"part {number}: no end of its headers in the first {MAX_HEADER_BYTES} bytes")
        if not sep:
            head, data = raw, b""
    if len(head) > MAX_HEADER_BYTES:
        raise MultipartError(400, f"part {number}: headers longer than {MAX_HEADER_BYTES} bytes")
    headers = _headers(head)
    ctype = headers.get_content_type() if "content-type" in headers else "text/plain"
    name = headers.get_param("name", header="content-disposition")
    if ctype.startswith("multipart/"):
        raise MultipartError(400, f"part {number} ({name or 'unnamed'}) is itself a {ctype}: "
                                  "nested multipart bodies are not accepted")
    return Part(_text(name), _text(headers.get_filename()), ctype, data)


def _text(value) -> str | None:
    """A header parameter as text: raw UTF-8 bytes (as browsers send file names) decoded."""
    if not isinstance(value, str):
        return None
    try:
        return value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # already decoded (RFC 2231 filename*=UTF-8''...)
        return value
