"""``POST /reports``: ingest one report (multipart upload), for token holders.

403 without a configured token, 401 without ``Authorization: Bearer <token>``, 413 over the
body limit or past MAX_PARTS parts, 501 while ``kg.ingest.ingest_text`` is not available, 400
without a file, for a nested multipart part or a malformed body (see api.multipart), 422 for a
``url`` that is not http(s) (kg.urls) and when the report is not stored (the ingester's reason
and SHACL violations). The body is parsed off the event loop. The form: ``file``
(the report text: UTF-8, GB18030/GBK or another detectable encoding) and optional fields
``id`` (default: the file name without extension), ``title``, ``agency``, ``jurisdiction``,
``year``, ``url``, passed as ``kg.read.ReportMeta`` to
``kg.ingest.ingest_text(store, text, meta)``, which replaces the report's named graph.
"""
from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import importlib
import re
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Security
from fastapi.responses import JSONResponse

from api.auth import BEARER, require_token
from api.multipart import MultipartError, parse_parts
from api.runner import Runner
from kg.urls import BadURL, source_url
from kg.graph.vocab import ID, report_iri

META_FIELDS = ("id", "title", "agency", "jurisdiction", "year", "url")
INGEST_TIMEOUT = 600.0
MAX_PARTS = 16  # the form has seven fields
YEAR_PATTERN = "^[0-9]{1,4}$"
# An http(s) URL as far as a regular expression can tell (kg.urls.source_url checks the rest:
# a host), or empty. Declared as the field's pattern.
URL_PATTERN = '^(?:[Hh][Tt][Tt][Pp][Ss]?://[^\\x00-\\x20<>"{}|\\\\^`\\x7f-\\x9f]+)?$'


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], tuple[str | None, bytes] | None]:
    """The text fields and the ``file`` part (filename, bytes) of a multipart/form-data body;
    HTTP 400/413 for a body of more than MAX_PARTS parts, nested multiparts or a malformed one."""
    try:
        parts = parse_parts(content_type, body, MAX_PARTS)
    except MultipartError as err:
        raise HTTPException(err.status, str(err)) from None
    fields: dict[str, str] = {}
    upload = None
    for part in parts:
        if part.name == "file":
            upload = (part.filename, part.data)
        elif part.name:
            fields[part.name] = part.data.decode("utf-8", errors="replace")
    return fields, upload


def decode_text(data: bytes) -> str:
    """UTF-8, else GB18030 (a superset of GBK/GB2312, usual for Chinese government texts),
    else whatever charset_normalizer detects."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise HTTPException(400, "cannot tell the encoding of the uploaded file")
    return str(best)


def meta_fields(fields: dict[str, str], filename: str | None, text: str) -> dict[str, Any]:
    """The report metadata from the form: ``id`` defaults to the file name (or a hash of the
    text), ``year`` must be an integer from 1 to 9999 (else 400), ``url`` an http(s) URL with a host
    (else 422, see kg.urls)."""
    meta: dict[str, Any] = {k: v.strip() for k, v in fields.items() if k in META_FIELDS and v.strip()}
    if "year" in fields:
        if not re.fullmatch(YEAR_PATTERN, fields["year"]) or not 1 <= int(fields["year"]) <= 9999:
            raise HTTPException(400, f"year: {fields['year']!r} is not a year (an integer from 1 to 9999)")
        meta["year"] = int(fields["year"])
    if "url" in fields:
        try:  # only http(s): a javascript: or data: URL would be a live link on the report's page
            meta["url"] = source_url(fields["url"])
        except BadURL as err:
            raise HTTPException(422, str(err)) from None
    if "id" not in meta:
        stem = PurePath(filename or "").stem
        meta["id"] = stem or "upload-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return meta


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def reports_router(runner: Runner, token: str | None) -> APIRouter:
    router = APIRouter(tags=["ingest"])

    @router.post("/reports", status_code=201, summary="Ingest one report", dependencies=[Security(BEARER)],
                 responses={201: {"description": "The report was ingested; the ingester's summary."},
                            400: {"description": "No file, a bad form field, a nested multipart part or "
                                                   "a malformed body."},
                            401: {"description": "Missing or wrong bearer token."},
                            403: {"description": "Ingesting is disabled (no token configured)."},
                            413: {"description": "Upload too large, or more than 16 parts."},
                            422: {"description": "The ingester rejected the report."},
                            501: {"description": "The ingester (kg.ingest.ingest_text) is not available."}},
                 openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
                     "schema": {"type": "object", "required": ["file"], "properties": {
                         "file": {"type": "string", "format": "binary",
                                  "description": "The report text (UTF-8, GB18030/GBK or another "
                                                 "detectable encoding)."},
                         **{f: {"type": "string"} for f in META_FIELDS},
                         "year": {"type": "integer", "minimum": 1949, "maximum": 2100,
                                  "description": "The year reported on (1949-2100; other years are "
                                                 "refused: 400 outside 1-9999, else 422 by the shapes)."},
                         "url": {"type": "string", "pattern": URL_PATTERN,
                                 "description": "Where the report was published: an http(s) URL "
                                                "(other schemes, e.g. javascript:, are refused: 422)."}}}}}}})
    async def post_report(request: Request) -> JSONResponse:
        require_token(request, token, "ingesting reports")
        try:
            ingest_text = importlib.import_module("kg.ingest").ingest_text
            report_meta = importlib.import_module("kg.read").ReportMeta
        except (ImportError, AttributeError):
            raise HTTPException(501, "ingesting is not available: kg.ingest.ingest_text (or "
                                     "kg.read.ReportMeta) cannot be imported") from None
        ctype = request.headers.get("content-type", "")
        if not ctype.lower().startswith("multipart/form-data"):
            raise HTTPException(400, "send the report as multipart/form-data with a 'file' part")
        # Off the event loop: splitting and decoding megabytes must not hold up other requests.
        fields, upload = await asyncio.to_thread(parse_multipart, ctype, await request.body())
        if upload is None:
            raise HTTPException(400, "no 'file' part in the upload")
        text = await asyncio.to_thread(decode_text, upload[1])
        meta = report_meta(**meta_fields(fields, upload[0], text))
        try:
            outcome = await runner.call(ingest_text, runner.store, text, meta,
                                        timeout=max(runner.timeout, INGEST_TIMEOUT))
        except (ValueError, TypeError) as err:
            raise HTTPException(422, f"the report was not ingested: {err}") from err
        body = {"meta": _jsonable(meta), "outcome": _jsonable(outcome)}
        if getattr(outcome, "stored", True) is False:
            error = getattr(outcome, "error", "") or "the report was not stored"
            return JSONResponse({"detail": error, **body}, status_code=422)
        local = str(report_iri(meta.id))[len(str(ID)):]
        body["report"] = {"id": meta.id, "iri": str(report_iri(meta.id)),
                          "page": str(request.base_url).rstrip("/") + "/id/" + local}
        return JSONResponse({"status": "stored", **body}, status_code=201)

    return router
