"""web stage: a local, read-only dashboard and JSON API over the event store.

>>> from aftershock.web import serve                              # doctest: +SKIP
>>> serve("aftershock.duckdb", host="127.0.0.1", port=8000)       # until Ctrl-C

``create_app(db)`` gives the ASGI app (FastAPI) for other servers or tests. Pages and API
are described in docs/dashboard.md; the OpenAPI spec is served at ``/api/openapi.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aftershock.web._serve import is_loopback, serve

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app", "is_loopback", "serve"]


def create_app(
    db: Any,
    *,
    token: str | None = None,
    check_host: bool = True,
    read_wait: float = 5.0,
    query_timeout: float = 10.0,
) -> FastAPI:
    """The dashboard app over the store at ``db``; see ``aftershock.web._app.create_app``."""
    # Imported here so that `import aftershock.web` (and the CLI) does not load FastAPI.
    from aftershock.web._app import create_app as _create_app

    return _create_app(
        db,
        token=token,
        check_host=check_host,
        read_wait=read_wait,
        query_timeout=query_timeout,
    )
