"""Run the dashboard on uvicorn: ``serve(db, host, port, token)`` (what ``aftershock serve``
calls)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from aftershock.errors import ConfigError

__all__ = ["is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another host name: treat as reachable from outside


def serve(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    *,
    log_level: str = "info",
) -> None:
    """Serve the dashboard and JSON API for the store at ``db`` until interrupted.

    Binding to anything but loopback needs a ``token`` (clients then send
    ``Authorization: Bearer <token>``, or open a page once with ``?token=<token>``).
    Raises ``ConfigError`` before binding when the store is missing or the token is.
    """
    import uvicorn

    from aftershock.web._app import create_app

    token = token or None
    loopback = is_loopback(host)
    if not loopback and token is None:
        raise ConfigError(
            f"refusing to serve on {host}, which is not a loopback address, without a token: "
            "pass --token (or set AFTERSHOCK_TOKEN), or bind to 127.0.0.1"
        )
    if not Path(db).exists():
        raise ConfigError(f"no store at {db}: run `aftershock run INPUT --db {db}` first")
    app = create_app(db, token=token, check_host=loopback)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )
