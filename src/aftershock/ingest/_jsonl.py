"""Article records: JSONL (one object a line, streamed) and `.json` documents.

A record is ``{"id", "text", "date"?, "title"?, "url"?, "source"?}``; other keys are
ignored. Each line is checked on its own, so one bad line never stops the file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from aftershock.errors import (
    E_BAD_DATE,
    E_BAD_FIELD,
    E_EMPTY,
    E_JSON,
    E_NO_TEXT,
)
from aftershock.records import Article, Problem

from ._dates import parse_dateline, parse_iso_date
from ._text import DecodeProblem, content_id, decode, make_problem, normalise

__all__ = ["iter_jsonl", "read_json_document", "read_record"]

_OPTIONAL_STR_FIELDS = ("title", "url", "source")


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _record_id(value: object) -> str | None:
    """The record's own id as a string; raises ``TypeError`` for a type we cannot trust."""
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int subclass, but `true` is no id
        raise TypeError("'id' is a boolean")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 7.0 from some exporters is id "7", not "7.0"
    if isinstance(value, str):
        if not value.strip():
            raise TypeError("'id' is an empty string")
        return value
    raise TypeError(f"'id' is {_type_name(value)}, expected a string or an integer")


def read_record(record: Any, origin: str) -> Article | Problem:
    """One decoded JSON value turned into an Article, or the Problem with it."""
    if not isinstance(record, dict):
        return make_problem(origin, E_JSON, f"got {_type_name(record)}, expected an object")
    try:
        article_id = _record_id(record.get("id"))
    except TypeError as exc:
        return make_problem(origin, E_BAD_FIELD, str(exc))
    raw_text = record.get("text")
    if not isinstance(raw_text, str):
        found = "missing" if "text" not in record else _type_name(raw_text)
        return make_problem(origin, E_NO_TEXT, f"'text' is {found}", article_id=article_id)
    try:
        text = normalise(decode(raw_text))
    except DecodeProblem as exc:
        return make_problem(origin, exc.code, f"in 'text': {exc.detail}", article_id=article_id)
    fields: dict[str, str | None] = {}
    for name in _OPTIONAL_STR_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            detail = f"'{name}' is {_type_name(value)}, expected a string"
            return make_problem(origin, E_BAD_FIELD, detail, article_id=article_id)
        fields[name] = value
    field_date: date | None = None
    raw_date = record.get("date")
    # An empty "date" string is how many exporters write "unknown": treated as absent.
    if isinstance(raw_date, str) and raw_date.strip():
        try:
            field_date = parse_iso_date(raw_date)
        except ValueError as exc:
            return make_problem(origin, E_BAD_DATE, f"'date': {exc}", article_id=article_id)
    elif raw_date is not None and not isinstance(raw_date, str):
        shown = repr(raw_date)[:40]
        detail = f"'date' is {_type_name(raw_date)} ({shown}), expected a YYYY-MM-DD string"
        return make_problem(origin, E_BAD_DATE, detail, article_id=article_id)
    if not text.strip():
        return make_problem(origin, E_EMPTY, kind="skipped", article_id=article_id)
    place, dateline_date = parse_dateline(text, reference=field_date)
    when = field_date or dateline_date
    return Article(
        id=article_id if article_id is not None else content_id(text),
        text=text,
        date=when,
        title=fields["title"],
        url=fields["url"],
        source=fields["source"],
        origin=origin,
        date_source="field" if field_date else "dateline" if dateline_date else "none",
        dateline_place=place,
    )


def _parse_json(text: str, *, one_line: bool = False) -> tuple[Any, str | None]:
    """``(value, None)`` or ``(None, the parser's message)``; a JSONL line's origin already
    names its line, so only the column is given there."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        where = "" if one_line else f"line {exc.lineno} "
        return None, f"{exc.msg}: {where}column {exc.colno}"
    except (ValueError, RecursionError) as exc:  # e.g. huge integers, absurd nesting
        return None, str(exc) or type(exc).__name__


def iter_jsonl(lines: Iterable[bytes | str], origin: str) -> Iterator[Article | Problem]:
    """Articles and Problems from JSONL lines, streamed: only one line is held at a time.

    Each item's origin is ``origin:LINE``. Blank lines are skipped silently. Binary data
    (NUL bytes, UTF-16) on the first line rejects the whole input once, not line by line;
    an input with no records at all is reported as skipped, so every input is accounted for.
    """
    offset = 0
    yielded = False
    for number, line in enumerate(lines, start=1):
        line_origin = f"{origin}:{number}"
        start, offset = offset, offset + len(line)
        try:
            text = decode(line, offset=start)
        except DecodeProblem as exc:
            if number == 1 and exc.whole_input:
                yield make_problem(origin, exc.code, f"{exc.detail}; not a JSONL file")
                return
            yield make_problem(line_origin, exc.code, exc.detail)
            yielded = True
            continue
        if not text.strip():
            continue
        # Without the line end, an unterminated string is reported as such.
        value, error = _parse_json(text.rstrip("\r\n"), one_line=True)
        if error is not None:
            yield make_problem(line_origin, E_JSON, error)
        else:
            yield read_record(value, line_origin)
        yielded = True
    if not yielded:
        yield make_problem(origin, E_EMPTY, "no records in this input", kind="skipped")


def read_json_document(raw: bytes, origin: str) -> Iterator[Article | Problem]:
    """A `.json` file: one record object or a list of them (items' origin ``path#N``).

    A file that turns out to hold JSONL (several objects, one a line) is read as JSONL.
    """
    try:
        text = decode(raw)
    except DecodeProblem as exc:
        yield make_problem(origin, exc.code, exc.detail)
        return
    value, error = _parse_json(text)
    if error is not None:
        if error.startswith("Extra data"):
            # Split on "\n" only: str.splitlines would also split at U+2028 inside strings.
            yield from iter_jsonl(io.StringIO(text), origin)
        else:
            yield make_problem(origin, E_JSON, error)
        return
    if isinstance(value, list):
        if not value:
            yield make_problem(origin, E_EMPTY, "empty list: no records", kind="skipped")
        for index, item in enumerate(value, start=1):
            yield read_record(item, f"{origin}#{index}")
    elif isinstance(value, dict):
        yield read_record(value, origin)
    else:
        detail = f"top level is {_type_name(value)}, expected an object or a list of objects"
        yield make_problem(origin, E_JSON, detail)
