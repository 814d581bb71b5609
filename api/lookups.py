"""JSON lookups for researchers: agencies, documents, regions, targets and a text search.

Lists are paged: ``limit`` (1-1000, default 50) and ``offset``; every page says ``total``
and gives ``next`` (the URL of the next page, or null). ``{id}`` is the last path segment of
the minted IRI (``https://w3id.org/policy-kg/id/<kind>/<id>``). User input reaches SPARQL
only as RDF terms in a VALUES block (``term.n3()``), never as raw text.
"""
from __future__ import annotations

import re
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from api.negotiation import negotiate_language
from api.params import check_strict
from api.runner import Runner
from api.workers import call_method
from kg.search import scan_where
from kg.graph.vocab import ACTIONS, ADMIN_LEVELS, BASE, ID, LEVEL, LEVELS, PREFIXES
from kg.graph.vocabulary import LANGUAGES, is_vocabulary_iri
from kg.graph.vocabulary import label as term_label

PROLOGUE = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")
MAX_OFFSET = 1_000_000_000  # SPARQL engines read OFFSET as a machine integer: keep far below 2^63
Language = Enum("Language", {code: code for code in LANGUAGES}, type=str)  # type: ignore[misc]
LevelCode = Enum("LevelCode", {code.replace("-", "_"): code for code in LEVELS}, type=str)  # type: ignore[misc]


class Page(BaseModel):
    """One page of a list."""

    total: int
    limit: int
    offset: int
    next: str | None = None
    total_is_exact: bool = True  # False: more matched than were counted (search), total is a lower bound
    items: list[dict[str, Any]]


_NOT_FOUND = {404: {"description": "No such node in the graph."}}
_PAGE_DOC = {200: {"description": "One page of results, with the total and the URL of the next page."}}


def values(**terms: Node) -> str:
    """An inline VALUES block binding each variable to one RDF term (escaped by rdflib)."""
    names = " ".join(f"?{name}" for name in terms)
    return f"VALUES ({names}) {{ ({' '.join(term.n3() for term in terms.values())}) }}"


def vocabulary_label(iri: str | None, lang: str) -> str | None:
    """The label in ``lang`` of a term of the vocabulary (from its files), None for other IRIs."""
    return term_label(iri, lang) if iri and is_vocabulary_iri(iri) else None


def node_iri(kind: str, ident: str) -> URIRef:
    if not _ID.fullmatch(ident):
        raise HTTPException(404, f"no {kind} {ident!r}")
    return ID[f"{kind}/{ident}"]


def link(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + "/" + path.lstrip("/")


_LOOKUPS = {"agency": "agencies", "document": "documents", "region": "regions"}


def node(request: Request, iri: str | None, label: str | None = None) -> dict | None:
    """An IRI as JSON. Minted nodes: id, iri, label, ``page`` (the /id/ page) and, for agencies,
    documents and regions, ``href`` (the lookup). Other IRIs: iri and label (or prefixed name),
    and for the vocabulary's terms their ``page`` (/ontology#…, /scheme/…)."""
    if not iri:
        return None
    if not iri.startswith(str(ID)):
        out = {"iri": iri, "label": label or curie(iri)}
        if is_vocabulary_iri(iri):  # the ontology's terms, the schemes' concepts: pages too
            out["page"] = link(request, iri[len(BASE):])
        return out
    out: dict[str, Any] = {"id": iri.rsplit("/", 1)[-1], "iri": iri, "label": label}
    local = iri[len(str(ID)):]
    out["page"] = link(request, "id/" + local)
    kind = local.split("/", 1)[0]
    if kind in _LOOKUPS and local.count("/") == 1:
        out["href"] = link(request, f"{_LOOKUPS[kind]}/{out['id']}")
    return out


def code(iri: str | None, labels: dict[str, str], lang: str = LANGUAGES[0]) -> dict | None:
    """A concept of one of the code lists: its code, label (in ``lang``: the concept's
    skos:prefLabel in ontology/schemes.ttl; Chinese by default) and IRI."""
    if not iri:
        return None
    value = iri.rstrip("/").rsplit("/", 1)[-1]
    text = labels.get(value) if lang == LANGUAGES[0] else None
    return {"code": value, "label": text or vocabulary_label(iri, lang) or labels.get(value), "iri": iri}


def language(request: Request, response: Response,
             lang: Language | None = Query(None, description="Language of the labels: zh (default) or en; "
                                                              "without it, the Accept-Language header decides. "
                                                              "Another value: 422 naming these two.")) -> str:
    """The language to label things in: ``?lang=``, else Accept-Language, else Chinese (said in
    the answer's Content-Language, with ``Vary: Accept-Language``)."""
    if lang is not None:
        chosen = lang.value
    else:
        chosen = negotiate_language(request.headers.get("accept-language"), LANGUAGES)
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    return chosen


def number(text: str | None) -> int | float | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


async def table(runner: Runner, query: str) -> list[dict[str, str]]:
    data = await runner.select(PROLOGUE + query)
    return [{k: v["value"] for k, v in b.items()} for b in data.get("results", {}).get("bindings", [])]


async def paged(request: Request, runner: Runner, where: str, select: str, order: str,
                limit: int, offset: int, key: str = "?s") -> tuple[list[dict[str, str]], dict]:
    """The rows of one page plus the paging fields (total, limit, offset, next)."""
    check_strict(request, integers=("limit", "offset"))
    count = await table(runner, f"SELECT (COUNT(DISTINCT {key}) AS ?n) WHERE {{ {where} }}")
    total = int(count[0]["n"]) if count else 0
    found = await table(runner, f"{select} WHERE {{ {where} }} {order} LIMIT {int(limit)} OFFSET {int(offset)}")
    nxt = str(request.url.include_query_params(offset=offset + limit)) if offset + limit < total else None
    return found, {"total": total, "limit": limit, "offset": offset, "next": nxt}


def pick_label(found: dict[str, str], lang: str) -> str | None:
    """Of labels by language tag, the one in ``lang``, else Chinese, else any."""
    for tag, text in found.items():
        if tag.split("-")[0] == lang:
            return text
    for tag, text in found.items():
        if tag.split("-")[0] == LANGUAGES[0]:
            return text
    return next(iter(found.values()), None)


async def labels_of(select, iris, lang: str) -> dict[str, str]:
    """A label for each IRI of ``iris``: its rdfs:label or skos:prefLabel in ``lang`` (else
    Chinese, else any), else the text of a sentence or mention (nif:anchorOf), else for a term of
    the vocabulary its label from the files. One query, read once per label triple: labels are
    looked up apart from the rows they label, so a node named in many report graphs does not
    multiply them. ``select``: an async function from a query to rows (dicts)."""
    wanted = sorted({i for i in iris if i})
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = " ".join(URIRef(i).n3() for i in wanted[start:start + 500])
        rows = await select(f"""SELECT DISTINCT ?x ?l ?tag ?text WHERE {{ VALUES ?x {{ {chunk} }}
            {{ GRAPH ?g {{ ?x rdfs:label|skos:prefLabel ?l }} BIND(LANG(?l) AS ?tag) }}
            UNION {{ GRAPH ?g {{ ?x nif:anchorOf ?text }} }} }}""")
        found: dict[str, dict[str, str]] = {}
        texts: dict[str, str] = {}
        for row in rows:
            if "l" in row:
                found.setdefault(row["x"], {}).setdefault(row.get("tag", ""), row["l"])
            elif "text" in row:
                texts.setdefault(row["x"], row["text"])
        for iri in wanted[start:start + 500]:
            text = pick_label(found.get(iri, {}), lang) or texts.get(iri) or vocabulary_label(iri, lang)
            if text:
                out[iri] = text
    return out


async def properties(request: Request, runner: Runner, iri: URIRef, lang: str = LANGUAGES[0]) -> dict[str, list]:
    """Every property of a node (across report graphs): prefixed name -> values (IRIs labelled
    in ``lang`` where a label in it exists)."""
    found = await table(runner, f"""
        SELECT DISTINCT ?p ?o ?okind WHERE {{
          {values(s=iri)}
          GRAPH ?g {{ ?s ?p ?o BIND(IF(isIRI(?o), "iri", "literal") AS ?okind) }}
        }} ORDER BY ?p ?o""")
    if not found:
        raise HTTPException(404, f"nothing is known about <{iri}>")
    labels = await labels_of(lambda q: table(runner, q),
                             [r["o"] for r in found if r["okind"] == "iri"], lang)
    props: dict[str, list] = {}
    for row in found:
        olabel = labels.get(row["o"])
        value = node(request, row["o"], olabel) if row["okind"] == "iri" else row["o"]
        props.setdefault(curie(row["p"]), []).append(value)
    return props


def curie(iri: str) -> str:
    for name, ns in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(ns) and name != "id":
            return f"{name}:{iri[len(ns):]}"
    return iri


def first(props: dict[str, list], key: str) -> Any:
    found = props.get(key) or [None]
    return found[0]


def first_iri(props: dict[str, list], key: str) -> str | None:
    value = first(props, key)
    return value["iri"] if isinstance(value, dict) else None


def lookups_router(runner: Runner) -> APIRouter:
    router = APIRouter(tags=["lookups"])
    limit_q = Query(50, ge=1, le=1000, description="Page size.")
    offset_q = Query(0, ge=0, le=MAX_OFFSET, description="How many results to skip (at most 10^9).")

    @router.get("/agencies", response_model=Page, summary="Agencies and organisations", responses=_PAGE_DOC)
    async def agencies(request: Request, lang: str = Depends(language), limit: int = limit_q, offset: int = offset_q) -> Page:
        where = """GRAPH ?g { ?s a ?type . VALUES ?type { pkg:Agency org:Organization }
                   OPTIONAL { ?s rdfs:label ?l } OPTIONAL { ?s pkg:adminLevel ?lv }
                   OPTIONAL { ?s pkg:jurisdiction ?j OPTIONAL { ?j rdfs:label ?jl } } }"""
        found, page = await paged(request, runner, where,
                                  "SELECT ?s (SAMPLE(STR(?l)) AS ?label) (SAMPLE(?type) AS ?t) (SAMPLE(?lv) AS ?level) "
                                  "(SAMPLE(?j) AS ?jur) (SAMPLE(?jl) AS ?jurLabel)",
                                  "GROUP BY ?s ORDER BY ?label ?s", limit, offset)
        items = [{**node(request, r["s"], r.get("label")),
                  "type": curie(r["t"]), "adminLevel": code(r.get("level"), ADMIN_LEVELS, lang),
                  "jurisdiction": node(request, r.get("jur"), r.get("jurLabel"))} for r in found]
        return Page(items=items, **page)

    @router.get("/agencies/{id}", summary="One agency: its properties, reports and actions",
                responses={200: {"description": "The agency."}, **_NOT_FOUND})
    async def agency(request: Request, lang: str = Depends(language), id: str = Path(description="Last segment of the agency IRI.")) -> dict:
        iri = node_iri("agency", id)
        props = await properties(request, runner, iri, lang)
        reports = await table(runner, f"""
            SELECT DISTINCT ?r ?label ?year WHERE {{ {values(a=iri)}
              GRAPH ?g {{ ?r a pkg:Report ; dcterms:creator ?a OPTIONAL {{ ?r rdfs:label ?label }}
                          OPTIONAL {{ ?r pkg:year ?year }} }} }} ORDER BY ?year ?r""")
        actions = await table(runner, f"""
            SELECT DISTINCT ?act ?type ?doc ?docLabel ?year ?report WHERE {{ {values(a=iri)}
              GRAPH ?g {{ ?act a pkg:Action ; prov:wasAssociatedWith ?a
                OPTIONAL {{ ?act pkg:actionType ?type }} OPTIONAL {{ ?act pkg:year ?year }}
                OPTIONAL {{ ?act prov:used ?doc OPTIONAL {{ ?doc rdfs:label ?docLabel }} }}
                OPTIONAL {{ ?report a pkg:Report }} }} }} ORDER BY ?year ?act""")
        return {**node(request, str(iri), first(props, "rdfs:label")),
                "types": props.get("rdf:type", []), "altLabels": props.get("skos:altLabel", []),
                "jurisdiction": first(props, "pkg:jurisdiction"),
                "adminLevel": code(first_iri(props, "pkg:adminLevel"), ADMIN_LEVELS, lang),
                "subOrganizationOf": first(props, "org:subOrganizationOf"),
                "reports": [{**node(request, r["r"], r.get("label")), "year": number(r.get("year"))}
                            for r in reports],
                "actions": [{"iri": r["act"], "type": code(r.get("type"), ACTIONS, lang),
                             "document": node(request, r.get("doc"), r.get("docLabel")),
                             "year": number(r.get("year")), "report": node(request, r.get("report"))}
                            for r in actions],
                "properties": props}

    @router.get("/documents", response_model=Page, summary="Documents (laws, rules, policies ...)",
                responses=_PAGE_DOC)
    async def documents(request: Request, lang: str = Depends(language), level: LevelCode | None = Query(None, description="Only documents of this level."),
                        limit: int = limit_q, offset: int = offset_q) -> Page:
        bound = values(level=LEVEL[level.value]) if level else ""
        where = f"""{bound} GRAPH ?g {{ ?s a pkg:Document ; eli:type_document ?level
                    OPTIONAL {{ ?s rdfs:label ?l }} OPTIONAL {{ ?s eli:passed_by ?by OPTIONAL {{ ?by rdfs:label ?byl }} }} }}"""
        found, page = await paged(request, runner, where,
                                  "SELECT ?s (SAMPLE(STR(?l)) AS ?label) (SAMPLE(?level) AS ?lv) "
                                  "(SAMPLE(?by) AS ?passedBy) (SAMPLE(?byl) AS ?passedByLabel)",
                                  "GROUP BY ?s ORDER BY ?label ?s", limit, offset)
        items = [{**node(request, r["s"], r.get("label")), "level": code(r.get("lv"), LEVELS, lang),
                  "passedBy": node(request, r.get("passedBy"), r.get("passedByLabel"))} for r in found]
        return Page(items=items, **page)

    @router.get("/documents/{id}", summary="One document and who acted on it",
                responses={200: {"description": "The document, with the actions taken on it "
                                                "(action type, agency, jurisdiction, year, report)."},
                           **_NOT_FOUND})
    async def document(request: Request, lang: str = Depends(language), id: str = Path(description="Last segment of the document IRI.")) -> dict:
        iri = node_iri("document", id)
        props = await properties(request, runner, iri, lang)
        actions = await table(runner, f"""
            SELECT DISTINCT ?act ?type ?agency ?agencyLabel ?jur ?jurLabel ?year ?report ?reportLabel ?evidence
            WHERE {{ {values(doc=iri)}
              GRAPH ?g {{ ?act a pkg:Action ; prov:used ?doc
                OPTIONAL {{ ?act pkg:actionType ?type }} OPTIONAL {{ ?act pkg:year ?year }}
                OPTIONAL {{ ?act prov:wasAssociatedWith ?agency
                           OPTIONAL {{ ?agency rdfs:label ?agencyLabel }} OPTIONAL {{ ?agency pkg:jurisdiction ?aj }} }}
                OPTIONAL {{ ?report a pkg:Report OPTIONAL {{ ?report rdfs:label ?reportLabel }}
                           OPTIONAL {{ ?report pkg:jurisdiction ?rj }} }}
                OPTIONAL {{ ?act pkg:evidence ?sentence . ?sentence nif:anchorOf ?evidence }}
                BIND(COALESCE(?aj, ?rj) AS ?jur)
                OPTIONAL {{ ?jur rdfs:label ?jurLabel }} }} }} ORDER BY ?year ?act""")
        return {**node(request, str(iri), first(props, "rdfs:label")),
                "title": first(props, "dcterms:title"), "altLabels": props.get("skos:altLabel", []),
                "types": props.get("rdf:type", []),
                "level": code(first_iri(props, "eli:type_document"), LEVELS, lang),
                "passedBy": first(props, "eli:passed_by"), "implements": props.get("eli:ensures_implementation_of", []),
                "datePublication": first(props, "eli:date_publication"),
                "dateEntryInForce": first(props, "eli:first_date_entry_in_force"),
                "actions": [{"iri": r["act"], "type": code(r.get("type"), ACTIONS, lang),
                             "agency": node(request, r.get("agency"), r.get("agencyLabel")),
                             "jurisdiction": node(request, r.get("jur"), r.get("jurLabel")),
                             "year": number(r.get("year")),
                             "report": node(request, r.get("report"), r.get("reportLabel")),
                             "evidence": r.get("evidence")} for r in actions],
                "properties": props}

    @router.get("/regions/{id}", summary="One region: its parts, agencies and reports",
                responses={200: {"description": "The region."}, **_NOT_FOUND})
    async def region(request: Request, lang: str = Depends(language), id: str = Path(description="Last segment of the region IRI.")) -> dict:
        iri = node_iri("region", id)
        props = await properties(request, runner, iri, lang)
        related = await table(runner, f"""
            SELECT DISTINCT ?rel ?x (SAMPLE(STR(?xl)) AS ?label) WHERE {{ {values(r=iri)}
              GRAPH ?g {{
                {{ ?x pkg:partOf ?r BIND("parts" AS ?rel) }}
                UNION {{ ?x pkg:jurisdiction ?r ; a ?t VALUES ?t {{ pkg:Agency org:Organization }} BIND("agencies" AS ?rel) }}
                UNION {{ ?x pkg:jurisdiction ?r ; a pkg:Report BIND("reports" AS ?rel) }}
                OPTIONAL {{ ?x rdfs:label ?xl }} }} }} GROUP BY ?rel ?x ORDER BY ?rel ?label""")
        out = {**node(request, str(iri), first(props, "rdfs:label")),
               "adminLevel": code(first_iri(props, "pkg:adminLevel"), ADMIN_LEVELS, lang),
               "partOf": first(props, "pkg:partOf"), "parts": [], "agencies": [], "reports": []}
        for r in related:
            out[r["rel"]].append(node(request, r["x"], r.get("label")))
        return {**out, "properties": props}

    @router.get("/targets", response_model=Page, summary="Quantified targets", responses=_PAGE_DOC)
    async def targets(request: Request, lang: str = Depends(language), year: int | None = Query(None, description="Only targets for this year."),
                      limit: int = limit_q, offset: int = offset_q) -> Page:
        check_strict(request, integers=("year",))
        year_pattern = "?s pkg:year ?year ." if year is not None else "OPTIONAL { ?s pkg:year ?year }"
        bound = values(year=Literal(year, datatype=XSD.integer)) if year is not None else ""
        where = f"""{bound} GRAPH ?g {{ ?s a pkg:Target . {year_pattern}
            OPTIONAL {{ ?s pkg:indicator ?indicator }} OPTIONAL {{ ?s pkg:value ?value }}
            OPTIONAL {{ ?s pkg:upperValue ?upper }} OPTIONAL {{ ?s pkg:unit ?unit }}
            OPTIONAL {{ ?s pkg:comparator ?comparator }}
            OPTIONAL {{ ?s prov:wasAttributedTo ?agency OPTIONAL {{ ?agency rdfs:label ?agencyLabel }} }}
            OPTIONAL {{ ?report a pkg:Report OPTIONAL {{ ?report rdfs:label ?reportLabel }} }}
            OPTIONAL {{ ?s pkg:evidence ?sentence . ?sentence nif:anchorOf ?evidence }} }}"""
        found, page = await paged(request, runner, where,
                                  "SELECT DISTINCT ?s ?indicator ?value ?upper ?unit ?comparator ?year "
                                  "?agency ?agencyLabel ?report ?reportLabel ?evidence",
                                  "ORDER BY ?year ?s", limit, offset)
        items = [{"iri": r["s"], "id": r["s"].rsplit("/", 1)[-1], "page": node(request, r["s"])["page"],
                  "indicator": r.get("indicator"), "value": number(r.get("value")),
                  "upperValue": number(r.get("upper")), "unit": r.get("unit"),
                  "comparator": r.get("comparator"), "year": number(r.get("year")),
                  "agency": node(request, r.get("agency"), r.get("agencyLabel")),
                  "report": node(request, r.get("report"), r.get("reportLabel")),
                  "evidence": r.get("evidence")} for r in found]
        return Page(items=items, **page)

    @router.get("/search", response_model=Page, summary="Search labels and evidence sentences",
                responses=_PAGE_DOC)
    async def search(request: Request, lang: str = Depends(language),
                     q: str = Query(..., min_length=1, max_length=200,
                                    description="Text to find (case-insensitive substring) in the labels "
                                                "(rdfs:label, skos:prefLabel: Chinese and, for the "
                                                "vocabulary, English) and in the evidence sentences "
                                                "(nif:anchorOf)."),
                     limit: int = limit_q, offset: int = offset_q) -> Page:
        check_strict(request, integers=("limit", "offset"))
        indexed = await runner.read(call_method, "search", q, limit, offset)
        if indexed is not None:  # the full-text index (kg.search): no scan of the store
            total, hits, exact = indexed
            nxt = str(request.url.include_query_params(offset=offset + limit)) if offset + limit < total else None
            items = [{**node(request, r["s"], r["text"] if r["kind"] == "label" else None),
                      "kind": r["kind"], "text": r["text"], "type": curie(r["type"]) if r.get("type") else None,
                      "report": node(request, r.get("report"))} for r in hits]
            return Page(items=items, total=total, limit=limit, offset=offset, next=nxt, total_is_exact=exact)
        where = scan_where(q)
        found, page = await paged(request, runner, where,
                                  "SELECT ?s ?kind ?text (SAMPLE(?rank) AS ?r) (SAMPLE(?type) AS ?t) "
                                  "(SAMPLE(?report) AS ?rep)",
                                  "GROUP BY ?s ?kind ?text ORDER BY ?r STR(?text) ?s", limit, offset,
                                  key="CONCAT(STR(?s), ?kind, STR(?text))")
        items = [{**node(request, r["s"], r["text"] if r["kind"] == "label" else None),
                  "kind": r["kind"], "text": r["text"], "type": curie(r["t"]) if r.get("t") else None,
                  "report": node(request, r.get("rep"))} for r in found]
        return Page(items=items, **page)

    return router

