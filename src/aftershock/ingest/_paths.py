"""Turning command-line inputs (files, folders, `-`) into a stream of Articles and Problems.

Everything is lazy: folders are walked one directory listing at a time and JSONL is read
line by line, so a batch of any size holds one article (or one line) in memory at a time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import BinaryIO, Literal, TextIO

from aftershock.errors import E_EMPTY, E_NOT_FOUND, E_UNSUPPORTED
from aftershock.records import Article, Problem

from ._jsonl import iter_jsonl, read_json_document
from ._text import make_problem, read_text_article

__all__ = ["STDIN_ORIGIN", "SUFFIXES", "iter_inputs"]

STDIN_ORIGIN = "<stdin>"
FileKind = Literal["text", "jsonl", "json"]
# What a folder walk reads; any other file in a folder is reported as skipped.
SUFFIXES: dict[str, FileKind] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}


def _kind(path: str) -> FileKind | None:
    return SUFFIXES.get(os.path.splitext(path)[1].lower())


def iter_inputs(
    inputs: Sequence[str | os.PathLike[str]], *, stdin: TextIO | BinaryIO | None = None
) -> Iterator[Article | Problem]:
    """Every article in ``inputs``, in order, each as an Article or a Problem saying why not.

    An input is a plain-text file, a JSONL (`.jsonl`/`.ndjson`) or `.json` file, a folder
    (walked recursively in name order, hidden entries ignored) or ``-`` for ``stdin``
    (default ``sys.stdin``). Nothing is raised for a bad input: it becomes a Problem whose
    origin names it ("path", "path:LINE", "<stdin>:LINE"), so every input is accounted for.
    """
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]  # one path, not a sequence of one-character paths
    for item in inputs:
        name = os.fsdecode(item)
        if name == "-":
            yield from _read_stdin(stdin)
        elif os.path.isdir(name):
            yield from _read_folder(name)
        elif os.path.exists(name):
            # A file named explicitly is read even without a known suffix: the user chose it.
            yield from _read_file(name, _kind(name) or "text")
        else:
            yield make_problem(name, E_NOT_FOUND)


def _read_file(path: str, kind: FileKind) -> Iterator[Article | Problem]:
    try:
        if kind == "jsonl":
            with open(path, "rb") as stream:
                yield from iter_jsonl(stream, path)
            return
        with open(path, "rb") as stream:
            raw = stream.read()
    except OSError as exc:
        # E107 is the nearest code for "exists but cannot be read" (permissions, I/O error).
        yield make_problem(path, E_NOT_FOUND, f"cannot read: {exc.strerror or exc}")
        return
    if kind == "json":
        yield from read_json_document(raw, path)
    else:
        yield read_text_article(raw, path)


def _read_folder(folder: str) -> Iterator[Article | Problem]:
    found = False
    for item in _walk(folder):
        found = True
        yield item
    if not found:
        # Otherwise an empty folder (or one of hidden files only) would vanish from the summary.
        yield make_problem(folder, E_EMPTY, "folder holds no article files", kind="skipped")


def _skipped(path: str, reason: str) -> Problem:
    return Problem(origin=path, reason=reason, code=E_UNSUPPORTED, kind="skipped")


def _walk(folder: str) -> Iterator[Article | Problem]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        yield make_problem(folder, E_NOT_FOUND, f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = entry.path
        try:
            is_link, is_dir, is_file = entry.is_symlink(), entry.is_dir(), entry.is_file()
        except OSError as exc:
            yield make_problem(path, E_NOT_FOUND, f"cannot read: {exc.strerror or exc}")
            continue
        if is_dir and is_link:
            yield _skipped(path, "link to a folder not followed (avoids loops); name it directly")
        elif is_dir:
            yield from _walk(path)
        elif not is_file:
            yield _skipped(path, "not a regular file" if not is_link else "broken link")
        elif (kind := _kind(path)) is None:
            suffix = os.path.splitext(path)[1] or "(none)"
            known = ", ".join(SUFFIXES)
            yield _skipped(path, f"unsupported file type {suffix}: not read (reads {known})")
        else:
            yield from _read_file(path, kind)


def _read_stdin(stream: TextIO | BinaryIO | None) -> Iterator[Article | Problem]:
    """Sniff standard input: JSONL if its first non-blank character is ``{``, else one article."""
    if stream is None:
        # Bytes, so decoding errors are reported by byte offset, not by the locale's codec.
        stream = getattr(sys.stdin, "buffer", sys.stdin)
    head: list[str | bytes] = []  # lines read while sniffing, replayed to the reader
    is_jsonl = False
    for line in stream:
        head.append(line)
        content = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        content = content.lstrip("\ufeff \t\r\n\f\v")
        if content:
            is_jsonl = content.startswith("{")
            break
    if is_jsonl:
        yield from iter_jsonl(chain(head, stream), STDIN_ORIGIN)
        return
    rest = stream.read()
    if isinstance(rest, bytes):
        raw: str | bytes = b"".join(p for p in head if isinstance(p, bytes)) + rest
    else:
        raw = "".join(p for p in head if isinstance(p, str)) + rest
    yield read_text_article(raw, STDIN_ORIGIN)
