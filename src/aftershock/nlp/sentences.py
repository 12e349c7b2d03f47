"""Sentence boundaries that respect the article's layout.

News text carries structure that the statistical parser ignores: a blank line ends a
paragraph, and a short line without final punctuation is a subheading. Without this
stage spaCy glues "A Cacophony of Grief and Revenge\\n\\nThe funeral procession ..." into
one sentence, and the heading's words leak into the next sentence's actors.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

_END_PUNCT = frozenset(".!?:;\"'”’)")
# A dateline opening the article: "BAGHDAD, Feb. 7 (Reuters) —", "Baghdad, February 8, 2024:".
# It is its own segment, so its place name never becomes a subject or object of the lede.
_DATELINE = re.compile(
    r"\s*[A-Z][\w.'’-]*(?:[ ,]+[A-Za-z0-9][\w.'’-]*){0,6}(?:\s*\([A-Za-z .]+\))?"
    r"\s*(?:—|–|--|:|\s-)\s"
)
# ... and only if it carries a dateline's marks: a date, an agency or an all-caps place.
_DATELINE_MARK = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d|\(|\b[A-Z]{3,}\b"
)


@Language.component(
    "aftershock_layout",
    requires=["token.text"],
    assigns=["token.is_sent_start"],
)
def layout_boundaries(doc: Doc) -> Doc:
    """Start a sentence after every blank line and after every line break that ends a
    line without final punctuation (a heading, a list item, a dateline)."""
    m = _DATELINE.match(doc.text[:120])
    if m is not None and "\n" not in m.group(0) and _DATELINE_MARK.search(m.group(0)):
        cut = doc.char_span(m.end(), m.end() + 1, alignment_mode="expand")
        if cut is not None and cut.start > 0:
            doc[cut.start].is_sent_start = True
    for i, tok in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if tok.is_space and "\n" in tok.text:
            # "\n\n" is a paragraph break; a lone "\n" after an unpunctuated line is a
            # heading or a hard break between items.
            prev = doc[i - 1] if i > 0 else None
            if "\n\n" in tok.text.replace("\r", "") or (
                prev is not None and prev.text[-1:] not in _END_PUNCT
            ):
                nxt.is_sent_start = True
            continue
        if "\n" in tok.whitespace_ and tok.text[-1:] not in _END_PUNCT or "\n\n" in tok.whitespace_:
            nxt.is_sent_start = True
    return doc


def paragraph_starts(text: str) -> list[int]:
    """Character offsets at which paragraphs start (blank-line separated)."""
    starts = [0]
    i = text.find("\n\n")
    while i != -1:
        j = i
        while j < len(text) and text[j] in "\n\r \t":
            j += 1
        if j < len(text):
            starts.append(j)
        i = text.find("\n\n", j)
    return starts
