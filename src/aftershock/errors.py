"""All of Aftershock's error types and codes, in one place.

Hierarchy::

    AftershockError
    ├── InputError        bad input: names the input and the problem (a batch goes on)
    ├── StoreError        the DuckDB store could not be opened or written
    │   └── StoreBusy     another process holds the file's lock (try again shortly)
    └── ConfigError       a bad option, file or setting given by the user

Codes are stable so users can grep logs and summaries for them.
"""

from __future__ import annotations

# Input problems (E1xx): reported per input, never stop a batch.
E_EMPTY = "E101"  # article text is empty or whitespace only
E_DECODE = "E102"  # bytes are not valid UTF-8 text
E_JSON = "E103"  # a JSONL line is not a JSON object
E_NO_TEXT = "E104"  # a JSONL record lacks a string `text`
E_BAD_DATE = "E105"  # a date that is not a real YYYY-MM-DD calendar date
E_BAD_FIELD = "E106"  # a field of the wrong type (e.g. numeric title)
E_NOT_FOUND = "E107"  # an input path that does not exist
E_BINARY = "E108"  # input looks binary (NUL bytes)
E_TOO_LARGE = "E109"  # article longer than the coder's limit
E_CODER = "E110"  # the coder failed on this article (bug): reported, batch goes on
E_UNSUPPORTED = "E111"  # a file in a folder that is not an article format
# Import of existing event data (E12x): per row, or per file for E120/E123.
E_IMPORT_COLUMNS = "E120"  # a file lacks columns its format requires
E_IMPORT_FIELDS = "E121"  # a row with the wrong number of fields
E_IMPORT_VALUE = "E122"  # a value that cannot be used (coordinate, count, code)
E_IMPORT_FORMAT = "E123"  # a file whose event-data format is unknown
E_IMPORT_DUPLICATE = "E124"  # a row repeating the id of an earlier row in the file
# Live sources (E13x), from `aftershock watch`: per feed, page or entry; a cycle goes on.
E_FETCH = "E130"  # timeout, connection error or 5xx/429 after all retries (tried next cycle)
E_HTTP = "E131"  # the server answered with an error status that is not retried (404, 410)
E_FEED = "E132"  # a feed that does not parse (malformed RSS/Atom)
E_NO_ARTICLE_TEXT = "E133"  # an HTML page with no main article text
E_CONTENT_TYPE = "E134"  # a response that is neither a feed nor an HTML page

MESSAGES = {
    E_EMPTY: "empty article: no text to code",
    E_DECODE: "text is not valid UTF-8",
    E_JSON: "line is not a JSON object",
    E_NO_TEXT: "record has no string field 'text'",
    E_BAD_DATE: "bad date",
    E_BAD_FIELD: "field has the wrong type",
    E_NOT_FOUND: "no such file or folder",
    E_BINARY: "looks like binary data, not text",
    E_TOO_LARGE: "article is too large",
    E_CODER: "the coder failed on this article",
    E_UNSUPPORTED: "unsupported file type",
    E_IMPORT_COLUMNS: "missing required columns",
    E_IMPORT_FIELDS: "wrong number of fields",
    E_IMPORT_VALUE: "bad value",
    E_IMPORT_FORMAT: "unknown event-data format",
    E_IMPORT_DUPLICATE: "duplicate row id",
    E_FETCH: "could not fetch",
    E_HTTP: "HTTP error",
    E_FEED: "malformed feed",
    E_NO_ARTICLE_TEXT: "no article text in the page",
    E_CONTENT_TYPE: "neither a feed nor an HTML page",
}


class AftershockError(Exception):
    """Base class: the CLI turns these into one clean message line."""


class InputError(AftershockError):
    def __init__(self, origin: str, code: str, detail: str = "") -> None:
        self.origin = origin
        self.code = code
        self.detail = detail
        msg = MESSAGES.get(code, "bad input")
        super().__init__(f"{origin}: {msg}{': ' + detail if detail else ''} [{code}]")


class StoreError(AftershockError):
    """The store could not be opened, migrated or written."""


class StoreBusy(StoreError):
    """Another process holds the store file's lock (DuckDB: one writer, or readers only)."""


class ConfigError(AftershockError):
    """A bad option, user file or setting."""
