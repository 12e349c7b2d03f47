"""Ingest stage: read articles from plain text, JSONL/JSON, folders and standard input.

``iter_inputs`` is the entry point the rest of Aftershock calls; it never raises for a bad
input but yields a :class:`~aftershock.records.Problem` naming it, next to the
:class:`~aftershock.records.Article` values, so a batch always accounts for every input.
"""

from ._dates import parse_date_line, parse_dateline, parse_iso_date
from ._jsonl import iter_jsonl, read_json_document, read_record
from ._paths import STDIN_ORIGIN, SUFFIXES, iter_inputs
from ._text import content_id, read_text_article

__all__ = [
    "STDIN_ORIGIN",
    "SUFFIXES",
    "content_id",
    "iter_inputs",
    "iter_jsonl",
    "parse_date_line",
    "parse_dateline",
    "parse_iso_date",
    "read_json_document",
    "read_record",
    "read_text_article",
]
