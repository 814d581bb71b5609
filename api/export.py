"""``GET /export``: the graph as a file Gephi or Gephi Lite opens at once.

``format`` is ``gexf`` (GEXF 1.3), ``gexf1.2`` (GEXF 1.2draft), ``graphml`` or ``csv``
(a zip holding Gephi's spreadsheet pair ``nodes.csv`` and ``edges.csv``; ``excel=true`` starts
each with a UTF-8 BOM for Excel); ``view`` and the filters are those of
:func:`kg.export.build_network`. A view and filters that select no node answer 422 with a
one-line detail ("nothing to export: …"), like the other requests that cannot be answered
(an unknown region): the parameters are well-formed, there is just nothing to send. The file is built in a temporary
folder the server chooses and sent back as an attachment: the client never names a path.

Wire it in ``api.app.create_app`` with ``app.include_router(export_router())``. The store
is ``app.state.store`` when the app sets one, else ``app.state.runner.store`` (what
``create_app`` sets today); with a runner the export runs in a process of its own (``Runner.export``: at most two at
once, killed past its time limit, its memory given back when it ends).
"""
from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import zipfile
from enum import Enum
from pathlib import Path

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from api.params import check_strict
from api.lookups import Language
from api.negotiation import negotiate_language
from kg.export import KIND_ALIASES, KINDS, LANGUAGES, Filters, check_excel, check_filters, export
from kg.store import Store
from kg.graph.vocab import LEVELS

MEDIA_TYPES = {"gexf": "application/gexf+xml", "gexf1.2": "application/gexf+xml",
               "graphml": "application/graphml+xml", "csv": "application/zip"}
SUFFIXES = {"gexf": "gexf", "gexf1.2": "gexf", "graphml": "graphml", "csv": "zip"}


# What the API takes for ``kind`` and ``level``: declared in the OpenAPI description and checked
# here exactly as declared (kg.export alone would also take other cases and spaces), so that
# what the description calls valid is answered and everything else is refused with 422.
_KIND = "(?:" + "|".join(sorted({*KINDS, *KIND_ALIASES}, key=lambda k: (-len(k), k))) + ")"
KIND_PATTERN = rf"^(?:{_KIND}(?:,{_KIND})*)?$"
LEVEL_PATTERN = "^(?:" + "|".join(sorted({*LEVELS, *LEVELS.values()}, key=lambda k: (-len(k), k))) + ")?$"


class ExportFormat(str, Enum):
    gexf = "gexf"
    gexf12 = "gexf1.2"
    graphml = "graphml"
    csv = "csv"


class ExportView(str, Enum):
    all = "all"
    agency_document = "agency-document"
    agency_initiative = "agency-initiative"
    document_document = "document-document"


def render(store: Store, fmt: str, view: str, filters: Filters, include_evidence: bool,
           excel: bool = False, lang: str = "zh") -> bytes:
    """The export as bytes (for csv: a zip with nodes.csv and edges.csv)."""
    with tempfile.TemporaryDirectory(prefix="policy-kg-export-") as tmp:
        return render_to(store, Path(tmp), fmt, view, filters, include_evidence, excel, lang).read_bytes()


def render_to(store: Store, folder: Path, fmt: str, view: str, filters: Filters,
              include_evidence: bool, excel: bool = False, lang: str = "zh") -> Path:
    """Write the export into ``folder`` (a server-chosen temporary folder) and return the
    file to send (for csv: a zip with nodes.csv and edges.csv). Raises NothingToExport
    (a ValueError) when nothing is selected."""
    target = folder / ("csv" if fmt == "csv" else f"export.{SUFFIXES[fmt]}")
    paths = export(store, fmt, target, view=view, filters=filters, include_evidence=include_evidence,
                   excel=excel, lang=lang)
    if fmt != "csv":
        return paths[0]
    archive_path = folder / "export.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, path.name)
    return archive_path


def filename(fmt: str, view: str, filters: Filters) -> str:
    """An ASCII file name from the chosen options only (never from free text)."""
    parts = ["policy-kg", view]
    if filters.year is not None:
        parts.append(str(filters.year))
    return "-".join(parts) + ("-gexf1.2" if fmt == "gexf1.2" else "") + "." + SUFFIXES[fmt]


_DOC = {
    "format": "gexf (GEXF 1.3), gexf1.2 (GEXF 1.2draft), graphml, or csv (a zip of nodes.csv and edges.csv).",
    "view": "all, agency-document, agency-initiative, document-document or agency-indicator (targets followed: outcome and year on the edges).",
    "jurisdiction": "Only what the reports of this region (its label, e.g. 光明区) and of the regions "
                    "within it say.",
    "level": "Only documents of this level: a code (law, administrative-regulation …) or its label (法律).",
    "year": "Only what the reports of this year say.",
    "kind": "Only nodes of these kinds, comma-separated: agency, organisation, region, document, "
            "initiative, target, metric.",
    "evidence": "Add the evidence sentences as nodes, linked to what was read from them.",
    "excel": "csv only: start nodes.csv and edges.csv with a UTF-8 BOM, so that Excel shows the Chinese "
             "(Gephi takes them without).",
}


def export_router() -> APIRouter:
    router = APIRouter(tags=["export"])

    @router.get(
        "/export", summary="Export the graph for Gephi",
        response_class=Response,
        responses={
            200: {"description": "The file, as an attachment: GEXF, GraphML, or a zip of nodes.csv and edges.csv.",
                  "content": {media: {} for media in sorted(set(MEDIA_TYPES.values()))}},
            422: {"description": "An unknown format, view, kind or document level, no region with that label, "
                                 "excel with a format other than csv, or nothing to export: the view and "
                                 "filters select no node (one-line detail naming them)."},
        })
    async def export_graph(
        request: Request,
        format: ExportFormat = Query(ExportFormat.gexf, description=_DOC["format"]),
        view: ExportView = Query(ExportView.all, description=_DOC["view"]),
        jurisdiction: str | None = Query(None, max_length=200, description=_DOC["jurisdiction"]),
        level: str | None = Query(None, max_length=100, description=_DOC["level"],
                                  json_schema_extra={"pattern": LEVEL_PATTERN}),
        year: int | None = Query(None, ge=1, le=9999, description=_DOC["year"]),
        kind: str | None = Query(None, max_length=200, description=_DOC["kind"],
                                 json_schema_extra={"pattern": KIND_PATTERN}),
        evidence: bool = Query(False, description=_DOC["evidence"]),
        excel: bool = Query(False, description=_DOC["excel"]),
        lang: Language | None = Query(None, description="Language of the level_label and relation_label "
                                                         "attributes: zh (default) or en; without it, the "
                                                         "Accept-Language header decides."),
    ) -> Response:
        check_strict(request, integers=("year",), booleans=("evidence", "excel"))
        chosen = lang.value if lang is not None else negotiate_language(request.headers.get("accept-language"),
                                                                        LANGUAGES)
        fmt, name = format.value, view.value
        filters = Filters(jurisdiction=jurisdiction or None, level=level or None, year=year, kind=kind or None)
        try:
            check_filters(filters)
            check_excel(fmt, excel)
        except ValueError as err:
            raise HTTPException(422, str(err)) from err
        if kind is not None and not re.fullmatch(KIND_PATTERN, kind):
            raise HTTPException(422, f"unknown kind in {kind!r}: expected a comma-separated list "
                                     f"(no spaces) of {', '.join(KINDS)}")
        if level is not None and not re.fullmatch(LEVEL_PATTERN, level):
            raise HTTPException(422, f"unknown document level {level!r}: expected one of "
                                     f"{', '.join(LEVELS)} or its Chinese label")
        state = request.app.state
        runner = getattr(state, "runner", None)
        store = getattr(state, "store", None) or (runner.store if runner is not None else None)
        if store is None:
            raise HTTPException(500, "the app has no store (set app.state.store)")
        folder = Path(tempfile.mkdtemp(prefix="policy-kg-export-"))
        cleanup = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
        try:
            if runner is not None and runner.store is store:
                path = await runner.export(render_to, folder, fmt, name, filters, evidence, excel, chosen)
            else:
                path = await asyncio.to_thread(render_to, store, folder, fmt, name, filters, evidence, excel, chosen)
        except ValueError as err:
            shutil.rmtree(folder, ignore_errors=True)
            raise HTTPException(422, str(err)) from err
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return FileResponse(path, media_type=MEDIA_TYPES[fmt], background=cleanup, headers={
            "Content-Disposition": f'attachment; filename="{filename(fmt, name, filters)}"'})

    return router
