"""The app factory: one :class:`~medcite.service.Medcite` held on ``app.state``, no globals."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from medcite.service import Medcite
from medcite.web import (
    api,
    editorial_api,
    editorial_pages,
    editorial_public,
    errors,
    pages,
    verify,
)
from medcite.web.middleware import MAX_BODY_BYTES, BodyLimitMiddleware, SecurityHeadersMiddleware
from medcite.web.view import TEMPLATE_FILTERS, TEMPLATE_GLOBALS

HERE = Path(__file__).parent


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(TEMPLATE_GLOBALS)
    env.filters.update(TEMPLATE_FILTERS)
    return Jinja2Templates(env=env)


def create_app(service: Medcite, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The web pages and the JSON API (``/api/v1``) over ``service``."""
    app = FastAPI(
        title="medcite", version=version("medcite"),
        description="Answers clinical questions with cited evidence: every sentence cites "
                    "the passage that supports it. Errors: "
                    '{"ok": false, "error": {"code": ..., "message": ...}}.',
        openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.service = service
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(editorial_api.router)
    app.include_router(pages.router)
    app.include_router(editorial_pages.router)
    app.include_router(editorial_public.router)
    app.include_router(verify.api)
    app.include_router(verify.pages)
    errors.install(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, web=service.settings.web)
    return app
