"""Commitments kept or missed, for one agency: ``GET /agencies/{id}/progress`` and the agency
page's table of commitments (issue 15).

Both answer from the named queries ``queries/progress.rq`` and ``queries/plans-done.rq`` (the
same files as ``kg query progress`` / ``kg query plans-done``), bound to the agency's IRI with a
VALUES clause; nothing else is asked of the store.
"""
from __future__ import annotations

from html import escape
from pathlib import Path as FilePath

from fastapi import APIRouter, Path, Query, Request
from rdflib import URIRef

from api.lookups import node, node_iri, number
from api.named import bound
from api.runner import Runner
from kg.queries import get_query, scheme_names
from kg.store import rows


async def answer(runner: Runner, name: str, params: dict[str, str], queries_dir: FilePath | None = None) -> list[dict]:
    """The rows of one named query with these parameter values (raw, as from a URL)."""
    return list(rows(await runner.select(bound(get_query(name, queries_dir), params))))


def progress_router(runner: Runner, queries_dir: FilePath | None = None) -> APIRouter:
    router = APIRouter(tags=["lookups"])

    @router.get("/agencies/{id}/progress", summary="One agency's targets and plans followed into its next report",
                responses={200: {"description": "The agency's targets (met, exceeded, missed, not-reported) and "
                                                "planned actions (done, not-reported), from the named queries "
                                                "progress and plans-done."},
                           404: {"description": "Not an agency id."},
                           422: {"description": "An outcome that is not a code of the outcome scheme."}})
    async def agency_progress(request: Request, id: str = Path(description="Last segment of the agency IRI."),
                              year: int | None = Query(None, description="Only commitments for this year."),
                              outcome: str | None = Query(None, description="Only this outcome: a code (met, exceeded, "
                                                                            "missed, not-reported, done) or its Chinese or "
                                                                            "English label; anything else is 422",
                                                          json_schema_extra={"enum": scheme_names("outcome")})) -> dict:
        iri = node_iri("agency", id)
        params = {"body": str(iri)}
        if year is not None:
            params["year"] = str(year)
        if outcome is not None:
            params["outcome"] = outcome
        targets = await answer(runner, "progress", params, queries_dir)
        plans = await answer(runner, "plans-done", params, queries_dir)
        return {"agency": node(request, str(iri), targets[0]["body"] if targets else
                               plans[0]["body"] if plans else None),
                "targets": [{"indicator": node(request, r["indicator_iri"], r["indicator"]),
                             "year": number(r["year"]), "target": number(r["target"]), "comparator": r["comparator"],
                             "upper": number(r.get("upper")), "unit": r["unit"], "result": number(r.get("result")),
                             "outcome": r["outcome"], "targetReport": r["target_report"],
                             "resultReport": r.get("result_report"), "targetSentence": r["target_sentence"],
                             "resultSentence": r.get("result_sentence"), "check": r["check"]} for r in targets],
                "plans": [{"plannedAction": r["planned_action"], "object": node(request, r["object_iri"], r["object"]),
                           "year": number(r["year"]), "outcome": r["outcome"], "laterAction": r.get("later_action"),
                           "planReport": r["plan_report"], "laterReport": r.get("later_report"),
                           "check": r["check"]} for r in plans]}

    return router


async def progress_section(runner: Runner, iri: URIRef, queries_dir: FilePath | None = None) -> str:
    """The HTML of an agency page's commitments and their outcomes ("" for other nodes or none)."""
    if not str(iri).startswith(str(node_iri("agency", "x"))[:-1]):
        return ""
    targets = await answer(runner, "progress", {"body": str(iri)}, queries_dir)
    plans = await answer(runner, "plans-done", {"body": str(iri)}, queries_dir)
    if not targets and not plans:
        return ""
    target_rows = "\n".join(
        f"<tr><td>{escape(r['year'])}</td><td>{escape(r['indicator'])}</td>"
        f"<td>{escape(r['comparator'])} {escape(r['target'])}{escape(r['unit'])}</td>"
        f"<td>{escape(r.get('result', '—'))}</td><td class=\"outcome\">{escape(r['outcome'])}</td></tr>"
        for r in targets)
    plan_rows = "\n".join(
        f"<tr><td>{escape(r['year'])}</td><td>{escape(r['object'])}</td><td>{escape(r['planned_action'])}</td>"
        f"<td>{escape(r.get('later_action', '—'))}</td><td class=\"outcome\">{escape(r['outcome'])}</td></tr>"
        for r in plans)
    return f"""<h2>Commitments and outcomes</h2>
<table id="progress"><tr><th>year</th><th>indicator</th><th>target</th><th>result</th><th>outcome</th></tr>
{target_rows or '<tr><td colspan="5">none</td></tr>'}</table>
<table id="plans-done"><tr><th>year</th><th>document or initiative</th><th>planned</th><th>later</th><th>outcome</th></tr>
{plan_rows or '<tr><td colspan="5">none</td></tr>'}</table>"""
