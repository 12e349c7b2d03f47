"""SQL pieces shared by the store's reads: every user value goes in as a bound parameter."""

from __future__ import annotations

from typing import Any


def paged(
    select: str, where: list[str], params: dict[str, Any], limit: int | None, offset: int
) -> str:
    """``select`` with its filters, ordered by date (undated last) then id, and paged.
    Adds ``limit``/``offset`` to ``params``."""
    if (limit is not None and limit < 0) or offset < 0:
        raise ValueError("limit and offset must not be negative")
    sql = select
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY date NULLS LAST, id"
    if limit is not None:
        sql += " LIMIT $limit"
        params["limit"] = limit
    if offset:
        sql += " OFFSET $offset"
        params["offset"] = offset
    return sql
