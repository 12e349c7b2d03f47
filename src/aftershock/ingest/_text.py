"""Plain-text articles: decoding, newline normalisation, content ids and the date marker.

The article text is kept exactly as given apart from a UTF-8 BOM, newline style and a
leading `date` marker, because every event span is an offset into it.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from aftershock.errors import (
    E_BAD_DATE,
    E_BINARY,
    E_DECODE,
    E_EMPTY,
    MESSAGES,
)
from aftershock.records import Article, Problem

from ._dates import parse_date_line, parse_dateline

__all__ = ["content_id", "decode", "make_problem", "normalise", "read_text_article"]

_BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class DecodeProblem(Exception):
    """Bytes that are not usable text; carries the error code and a detail for the user.

    ``whole_input`` marks data that is not text at all (binary, UTF-16), as opposed to
    one bad byte, so a line reader can reject the input once instead of every line.
    """

    def __init__(self, code: str, detail: str, *, whole_input: bool = False) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.whole_input = whole_input


def make_problem(
    origin: str,
    code: str,
    detail: str = "",
    *,
    kind: Literal["skipped", "rejected"] = "rejected",
    article_id: str | None = None,
) -> Problem:
    """A Problem whose reason is the code's standard message plus the specific detail."""
    reason = MESSAGES.get(code, "bad input") + (f": {detail}" if detail else "")
    return Problem(origin=origin, reason=reason, code=code, kind=kind, article_id=article_id)


def decode(raw: bytes | str, *, offset: int = 0) -> str:
    """Strict UTF-8 (BOM dropped) with NUL and UTF-16 checks; raises ``DecodeProblem``.

    No latin-1/cp1252 guessing: a wrong guess silently corrupts names, so the user is told
    where the bad byte is instead. ``offset`` is added to reported byte positions (for lines).
    """
    if isinstance(raw, str):
        if "\x00" in raw:
            raise DecodeProblem(E_BINARY, f"NUL character at offset {raw.index(chr(0))}")
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError as exc:
            # Lone surrogates (e.g. undecodable stdin read with surrogateescape).
            raise DecodeProblem(E_DECODE, f"invalid character at offset {exc.start}") from None
        return raw.removeprefix(_BOM)
    if raw.startswith(_UTF16_BOMS):
        raise DecodeProblem(
            E_DECODE, "the text is UTF-16 (byte-order mark found); save as UTF-8", whole_input=True
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DecodeProblem(E_BINARY, f"NUL byte at byte offset {offset + nul}", whole_input=True)
    try:
        return raw.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise DecodeProblem(
            E_DECODE,
            f"invalid byte 0x{bad} at byte offset {offset + exc.start} ({exc.reason}); "
            "save the file as UTF-8",
        ) from None


def normalise(text: str) -> str:
    """Unix newlines only, so offsets mean the same whatever system wrote the file."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def content_id(text: str) -> str:
    """Id for an article without one: first 16 hex digits of sha256 of its normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read_text_article(
    raw: bytes | str, origin: str, *, article_id: str | None = None
) -> Article | Problem:
    """One plain-text article, or the Problem that keeps it from being coded.

    A leading `date YYYY-MM-DD` marker gives the date and is removed from the text;
    otherwise a wire dateline at the start may give it. The dateline itself stays in
    the text. Titles are never guessed for plain text.
    """
    try:
        text = normalise(decode(raw))
    except DecodeProblem as exc:
        return make_problem(origin, exc.code, exc.detail, article_id=article_id)
    try:
        marker_date, strip = parse_date_line(text)
    except ValueError as exc:
        return make_problem(origin, E_BAD_DATE, f"in the date line: {exc}", article_id=article_id)
    text = text[strip:]
    if not text.strip():
        return make_problem(origin, E_EMPTY, kind="skipped", article_id=article_id)
    place, dateline_date = parse_dateline(text, reference=marker_date)
    if marker_date is not None:
        when, source = marker_date, "date-line"
    elif dateline_date is not None:
        when, source = dateline_date, "dateline"
    else:
        when, source = None, "none"
    return Article(
        id=article_id if article_id is not None else content_id(text),
        text=text,
        date=when,
        origin=origin,
        date_source=source,
        dateline_place=place,
    )
