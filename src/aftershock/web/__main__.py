"""``python -m aftershock.web [--db FILE] [--host H] [--port P] [--token T]``: the same as
``aftershock serve``, for environments without the CLI entry point."""

from __future__ import annotations

import argparse
import os
import sys

from aftershock.errors import AftershockError
from aftershock.web import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftershock.web", description=__doc__)
    parser.add_argument("--db", default=os.environ.get("AFTERSHOCK_DB", "aftershock.duckdb"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--token", default=os.environ.get("AFTERSHOCK_TOKEN"))
    args = parser.parse_args(argv)
    try:
        serve(args.db, args.host, args.port, args.token)
    except AftershockError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
