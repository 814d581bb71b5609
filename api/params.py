"""Query parameters taken exactly as the OpenAPI description declares them.

FastAPI (pydantic in lax mode) also reads ``+0.0``, ``5.0`` or ``1_000`` as integers and
``yes``, ``on`` or ``1`` as true, so values the description calls invalid would be answered.
``check_strict`` runs first in an endpoint and refuses them with 422, in FastAPI's format: an
integer is digits, optionally after a minus sign; a boolean is ``true`` or ``false``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from fastapi import Request
from fastapi.exceptions import RequestValidationError

INTEGER = re.compile(r"-?[0-9]+")


def check_strict(request: Request, integers: Iterable[str] = (), booleans: Iterable[str] = ()) -> None:
    """422 when a named integer or boolean query parameter is not written as one."""
    errors = []
    for name in integers:
        for value in request.query_params.getlist(name):
            if not INTEGER.fullmatch(value):
                errors.append({"type": "int_parsing", "loc": ["query", name], "input": value,
                               "msg": "Input should be an integer: digits, optionally after a minus sign"})
    for name in booleans:
        for value in request.query_params.getlist(name):
            if value not in ("true", "false"):
                errors.append({"type": "bool_parsing", "loc": ["query", name], "input": value,
                               "msg": "Input should be true or false"})
    if errors:
        raise RequestValidationError(errors)
