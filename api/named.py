"""The named queries (``queries/*.rq``) as typed GET routes, in the manner of grlc.

``GET /queries/{name}`` runs one query; each ``#+ param:`` of the file is a documented,
typed query parameter in the OpenAPI description. Values are turned into RDF terms by
``NamedQuery.bindings`` and bound with a VALUES clause, never spliced into the query text.
The answer is content-negotiated like ``/sparql``. ``GET /queries`` lists the queries.
Routes are built when the app is created: restart it to pick up new query files.

:class:`NamedQueryShortcut` answers the well-formed GETs of these routes before FastAPI's
routing and parameter models see them (a one-report lookup is mostly fixed cost); anything else
goes on to the routes, which give every error answer.
"""
from __future__ import annotations

import inspect
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.exception_handlers import http_exception_handler
from pydantic import BaseModel
from starlette.datastructures import Headers, QueryParams

from api.params import INTEGER, check_strict
from api.runner import Runner
from api.sparql import QUERY_RESPONSES, media_for, query_form, result_response, run_query
from kg.queries import NamedQuery, ParamValueError, QueryError, named_queries, scheme_codes, scheme_names
from kg.store import with_values

_PY_TYPES: dict[str, Any] = {"integer": int, "decimal": Decimal, "string": str, "zh": str, "iri": str}
_TYPE_NOTES = {"integer": "an integer", "decimal": "a decimal number", "string": "a plain string",
               "zh": "a string (bound as a @zh literal)", "iri": "an absolute IRI"}


class ParamInfo(BaseModel):
    name: str
    type: str
    required: bool
    description: str


class QueryInfo(BaseModel):
    name: str
    summary: str
    description: str
    path: str
    params: list[ParamInfo]
    sparql: str


def query_info(query: NamedQuery) -> QueryInfo:
    return QueryInfo(name=query.name, summary=query.summary, description=query.description,
                     path=f"/queries/{query.name}", sparql=query.text,
                     params=[ParamInfo(name=p.name, type=p.type, required=p.required,
                                       description=p.description) for p in query.params])


def named_router(runner: Runner, queries_dir: Path | None = None,
                 queries: dict[str, NamedQuery] | None = None) -> APIRouter:
    """Routes for the named queries found in ``queries_dir`` (default: kg.queries.queries_dir()),
    or for ``queries`` (name → NamedQuery) when given."""
    queries = named_queries(queries_dir) if queries is None else queries
    router = APIRouter(tags=["named queries"])

    @router.get("/queries", response_model=list[QueryInfo], summary="List the named queries",
                responses={200: {"description": "Every named query with its summary, parameters and text."}})
    async def list_queries() -> list[QueryInfo]:
        return [query_info(q) for q in queries.values()]

    for query in queries.values():
        router.add_api_route(
            f"/queries/{query.name}", _endpoint(query, runner), methods=["GET"],
            summary=query.summary or f"Named query {query.name}",
            description=(query.description or query.summary or "") +
            "\n\nAnswer content-negotiated like /sparql.",
            responses={**QUERY_RESPONSES, 422: {"description": "A parameter value that the parameter does "
                                                                "not take (a code outside its scheme); the "
                                                                "answer names the valid ones."}},
            operation_id=f"named_query_{query.name}",
            response_class=Response)
    return router


def bound(query: NamedQuery, params: dict[str, str]) -> str:
    """The query's text with these parameter values (raw, as from a URL) bound: 422 for a value
    its parameter does not take, 400 for any other problem with them."""
    try:
        bindings = query.bindings(params)
    except ParamValueError as err:
        raise HTTPException(422, str(err)) from err
    except QueryError as err:
        raise HTTPException(400, str(err)) from err
    return with_values(query.text, bindings)


def _endpoint(query: NamedQuery, runner: Runner):
    """An endpoint whose signature declares the query's parameters, for FastAPI and OpenAPI."""
    by_arg = {f"p{i}": param for i, param in enumerate(query.params)}
    known = {param.name for param in query.params}
    integers = [param.name for param in query.params if param.type == "integer"]

    async def endpoint(request: Request, **values: Any) -> Response:
        check_strict(request, integers=integers)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise HTTPException(400, f"query {query.name} has no parameter {', '.join(unknown)} "
                                     f"(it takes: {', '.join(sorted(known)) or 'none'})")
        raw = {by_arg[arg].name: str(value) for arg, value in values.items() if value is not None}
        return await run_query(runner, request, bound(query, raw))

    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for arg, param in by_arg.items():
        pytype = _PY_TYPES.get(param.type, str)
        extra = {"format": "iri"} if param.type == "iri" else None
        if param.type.startswith("code:"):
            codes = sorted(set(scheme_codes(param.type[5:]).values()))
            note = f"a code: {', '.join(codes)}, or its Chinese or English label; anything else is 422"
            # The enum documents the values taken (codes and labels as written); the check
            # itself (NamedQuery.bindings) also folds case and spaces.
            extra = {"enum": scheme_names(param.type[5:]), "examples": codes[:3]}
        else:
            note = _TYPE_NOTES[param.type]
        description = f"{param.description} ({note})".strip()
        default = Query(... if param.required else None, alias=param.name, description=description,
                        json_schema_extra=extra)
        params.append(inspect.Parameter(arg, inspect.Parameter.KEYWORD_ONLY, default=default,
                                        annotation=pytype if param.required else pytype | None))
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = f"named_query_{query.name}"
    return endpoint


class NamedQueryShortcut:
    """An ASGI layer that answers ``GET /queries/{name}`` itself when the request is one the
    route would answer with the query's result: each parameter given once, known, not empty,
    every required one present, integers written as digits, no decimal given, values the
    parameter takes and an Accept header the query can be answered in. The answer (status,
    body, headers) is the route's: the same binding (``bound``), negotiation, runner and
    response; an error of the run (503, 504, ...) is answered by FastAPI's own handler.
    Every other request (and every other path) goes on to ``app`` unchanged, so the routes
    keep giving the error answers. It saves FastAPI's routing over every route of the app and
    its parameter models: most of the API's own cost of a one-report lookup.

    Add it before the other middlewares (``app.add_middleware`` wraps: the first added is
    innermost), so that they also wrap its answers.
    """

    def __init__(self, app, runner: Runner, queries: dict[str, NamedQuery]):
        self.app = app
        self.runner = runner
        self.routes = {f"/queries/{query.name}": query for query in queries.values()}
        # binding values never changes a query's form: it is read once
        self.forms = {query.name: query_form(query.text) for query in queries.values()}

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET":
            query = self.routes.get(_route_path(scope))
            text = None if query is None else _bound_or_none(query, scope["query_string"])
            if text is not None:
                try:
                    media = media_for(self.forms[query.name], Headers(scope=scope).get("accept"))
                except HTTPException:
                    media = None  # 406: the route says so
                if media is not None:
                    return await self._answer(text, media, scope, receive, send)
        await self.app(scope, receive, send)

    async def _answer(self, text: str, media: str, scope, receive, send) -> None:
        try:
            result = await self.runner.query(text, media)
        except HTTPException as err:
            response = await http_exception_handler(Request(scope, receive), err)
        else:
            response = result_response(result, self.runner.row_limit)
        await response(scope, receive, send)


def _route_path(scope) -> str:
    """The path the app's routes match: without the ``root_path`` the app is mounted under."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _bound_or_none(query: NamedQuery, query_string: bytes) -> str | None:
    """The query's text with the request's parameters bound, or None when the request is not
    plainly well formed (the route then answers it, with its own error)."""
    items = QueryParams(query_string).multi_items()
    raw = dict(items)
    params = {param.name: param for param in query.params}
    if len(raw) != len(items) or any(name not in params or not value for name, value in items):
        return None
    for param in query.params:
        value = raw.get(param.name)
        if value is None:
            if param.required:
                return None
        elif param.type == "decimal" or (param.type == "integer" and not INTEGER.fullmatch(value)):
            return None  # a decimal as pydantic reads it ("1_000", " 5"): the route's
    try:
        return bound(query, raw)
    except HTTPException:
        return None
