"""Near-duplicate articles: MinHash signatures over word shingles, LSH bands as keys.

A wire story copied by many outlets differs only in a dateline, a credit line, a trimmed
last paragraph. Each article gets a ``datasketch`` MinHash of its word 3-grams; the
signature is cut into ``BANDS`` bands of ``ROWS`` values and each band hashed to one 64-bit
key. Two articles whose Jaccard similarity is ``s`` share at least one band key with
probability ``1 - (1 - s**ROWS)**BANDS`` (0.99 at s = 0.6, 0.16 at s = 0.2); a shared key
makes them candidates, and the estimated Jaccard of their full signatures must reach
``THRESHOLD`` for the later one to count as a copy.

The band keys are rows of a DuckDB table (``article_lsh``), so a lookup is one query over
the keys of the batch, not an index rebuilt in memory on every open. Within one batch,
``datasketch.MinHashLSH`` with the same bands finds copies among the batch's own articles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aftershock.cluster._text import shingles

if TYPE_CHECKING:
    from datasketch import MinHash

# datasketch is imported where it is used: it loads scipy (a third of a second), which
# commands that only read the store should not pay for.
from aftershock.records import Article

NUM_PERM = 128
BANDS = 32
ROWS = 4
SHINGLE = 3  # words per shingle
THRESHOLD = 0.6  # estimated Jaccard of word 3-grams at or above which a text is a copy
MIN_SHINGLES = 12  # shorter texts are too short to judge (briefs, one-liners)
WINDOW_DAYS = 14  # a copy appears within this many days of its original
SEED = 1
SCHEME = "affine32"  # pinned: band keys written by one version must match the next

assert BANDS * ROWS <= NUM_PERM


@dataclass(frozen=True, slots=True)
class Signature:
    """An article's MinHash values (``NUM_PERM`` uint32) and its LSH band keys."""

    article_id: str
    values: np.ndarray
    bands: tuple[int, ...]

    def blob(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    def minhash(self) -> MinHash:
        from datasketch import MinHash

        return MinHash(hashvalues=self.values, seed=SEED, scheme=SCHEME)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """``article`` is a near copy of the stored (or same-batch) article ``original_id``."""

    article: Article
    original_id: str
    similarity: float


@dataclass(frozen=True, slots=True)
class DuplicateCheck:
    """What ``Store.skip_near_duplicates`` found: articles to code, and copies not to."""

    unique: list[Article]
    duplicates: list[Duplicate]


def band_keys(values: np.ndarray) -> tuple[int, ...]:
    """One signed 64-bit key per band (DuckDB BIGINT), salted with the band number."""
    raw = values.astype("<u4")
    out = []
    for b in range(BANDS):
        h = hashlib.blake2b(raw[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8)
        h.update(b.to_bytes(2, "little"))
        out.append(int.from_bytes(h.digest(), "little", signed=True))
    return tuple(out)


def signature(article: Article) -> Signature | None:
    """The article's signature, or None when its text is too short to compare."""
    grams = shingles(article.text, SHINGLE)
    if len(grams) < MIN_SHINGLES:
        return None
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch(list(grams))
    values = np.asarray(m.hashvalues, dtype=np.uint32)
    return Signature(article.id, values, band_keys(values))


def from_blob(article_id: str, blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal values."""
    return float(np.count_nonzero(a == b)) / len(a)


def within_batch(
    articles: Sequence[Article], signatures: dict[str, Signature], skip: set[str]
) -> dict[str, tuple[str, float]]:
    """Copies among the batch's own articles: {copy id: (earlier original id, similarity)}.

    The first article of a group (input order) is the original. ``skip`` holds ids already
    known to be copies of stored articles; they are neither originals nor checked again.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(BANDS, ROWS))
    found: dict[str, tuple[str, float]] = {}
    for a in articles:
        sig = signatures.get(a.id)
        if sig is None or a.id in skip or a.id in found:
            continue
        m = sig.minhash()
        best: tuple[float, str] | None = None
        for other in lsh.query(m):
            sim = similarity(sig.values, signatures[other].values)
            if sim >= THRESHOLD and (best is None or sim > best[0]):
                best = (sim, other)
        if best is not None:
            found[a.id] = (best[1], best[0])
        else:
            lsh.insert(a.id, m)
    return found


def source_key(source: str | None, url: str | None, article_id: str) -> str:
    """Who published a report: the source name, else the URL's host, else the article
    itself (an unnamed report counts as its own source)."""
    if source and source.strip():
        return source.strip().lower()
    if url and "://" in url:
        host = url.split("://", 1)[1].split("/", 1)[0].lower()
        host = host.rsplit("@", 1)[-1].split(":", 1)[0]
        if host.startswith("www."):
            host = host[4:]
        if host:
            return host
    return f"article:{article_id}"
