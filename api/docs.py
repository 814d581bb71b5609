"""The OpenAPI documentation pages (``/docs``: Swagger UI, ``/redoc``: ReDoc) under a CSP.

FastAPI's own pages load their scripts from a CDN and run one inline script; these are the
same pages with a Content-Security-Policy that allows exactly that CDN and that inline script
(by hash). Styles may be inline here (ReDoc writes its own), scripts may not.
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.security import inline_blocks, policy

CDN = "https://cdn.jsdelivr.net"


def add_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Add the two pages to ``app`` (made with ``docs_url=None, redoc_url=None``)."""
    title = app.title + " - docs"
    pages = {docs_url: get_swagger_ui_html(openapi_url=app.openapi_url, title=title).body.decode(),
             redoc_url: get_redoc_html(openapi_url=app.openapi_url, title=title).body.decode()}
    for url, html in pages.items():
        csp = policy(scripts=inline_blocks(html, "script"), script_src=[CDN],
                     style_src=[CDN, "https://fonts.googleapis.com", "'unsafe-inline'"],
                     font_src=["https://fonts.gstatic.com"], connect_src=["'self'"], worker_src=["blob:"],
                     img_src=["'self'", "data:", "https://fastapi.tiangolo.com"])

        app.add_api_route(url, _page(html, csp), methods=["GET"], include_in_schema=False)


def _page(html: str, csp: str):
    """A route without parameters that answers ``html`` under ``csp``."""
    async def page() -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})
    return page
