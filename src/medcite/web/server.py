"""``medcite serve``: one process, one service, uvicorn."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from medcite.service import Medcite
from medcite.web.app import create_app


def warm_up(service: Medcite) -> None:
    """Open the indexes before the first request, so concurrent first requests do not
    race to build them (and the first answer is not slow)."""
    if service.stats()["documents"]:
        service.search("blood pressure treatment", 1)


def run(home: Path | None, host: str, port: int) -> None:
    """Serve the web app and the API on ``host:port`` until interrupted."""
    with Medcite.open(home) as service:
        warm_up(service)
        app = create_app(service)
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False,
                    server_header=False)
