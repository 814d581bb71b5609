"""The cyclic garbage collector paused while one report's short-lived objects are made.

Extraction, the N-Triples build and the compiled validation each make tens of thousands of
small objects (marks, facts, the dicts of a report's triple index) that hold no reference
cycles: reference counting frees them. The cyclic collector's passes over them (and, as
they survive, over the whole heap: the spaCy pipeline, the lexicons, the shapes) took a
tenth of the extraction's CPU and a third of the build's. :func:`paused_gc` (a context
manager and a decorator) turns it off for the call and back on afterwards, unless it was
off before (a caller that paused it keeps it paused).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
