"""Place names in a sentence found by the gazetteer rather than the entity recogniser, and
names settled by the divisions written after them.

The small spaCy model often tags a town as a person or an organisation, or parses "shelled
Severodonetsk, Luhansk" so that no preposition governs it. :func:`scan` walks the runs of
capitalised words of a sentence, looks each up in the gazetteer (longest name first) and
scores it by the words around it: a place preposition before it ("in", "near"), a kind word
after it ("town", "district", "township"), and qualifiers after it, "Kikwit (Kikwit, Kwilu)"
or "Zihuatanejo, Guerrero", that name the divisions or country it lies in.

:func:`resolve_qualified` resolves a name against such qualifiers: the candidate that lies in
them wins over any prior; when the name itself is unknown (a village the gazetteer lacks),
the most specific qualifier that resolves stands in for it, an honest coarser point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from aftershock.nlp.gazetteer import Gazetteer, Place, PlaceContext, haversine_km
from aftershock.nlp.gazindex import ALT, DEMONYM

__all__ = [
    "NOT_PLACE_HEADS",
    "run_around",
    "KIND_AFTER",
    "Toponym",
    "qualifiers",
    "resolve_qualified",
    "scan",
    "split_kind",
]

PLACE_PREPS = frozenset(
    {
        "in",
        "near",
        "at",
        "outside",
        "across",
        "around",
        "inside",
        "into",
        "off",
        "between",
        "through",
    }
)
# ("from" is left out: "recalled its ambassador from Tehran" happened elsewhere)
_WEAK_PREPS = frozenset({"to", "towards", "toward", "over", "along"})
# Words after a name that say it is a place, and what kind ("Ghotki city", "Taze township").
KIND_AFTER = {
    "city": "city",
    "town": "city",
    "township": "admin2",
    "village": "city",
    "villages": "city",
    "locality": "city",
    "community": "city",
    "settlement": "city",
    "neighbourhood": "city",
    "neighborhood": "city",
    "ward": "city",
    "area": None,
    "sector": None,
    "commune": "admin2",
    "municipality": "admin2",
    "district": "admin2",
    "sub-county": "admin2",
    "subcounty": "admin2",
    "tehsil": "admin2",
    "county": "admin2",
    "lga": "admin2",
    "territory": "admin2",
    "raion": "admin2",
    "province": "admin1",
    "region": "admin1",
    "state": "admin1",
    "governorate": "admin1",
    "oblast": "admin1",
    "department": "admin1",
    "prefecture": "admin1",
}
# Words after a capitalised run that make it the name of something other than a place:
# "Wonju City Hall", "Kongo Trading Center", "Sindh Employees Association".
NOT_PLACE_HEADS = frozenset(
    """hall council association party front army force forces police court office ministry
    bank company union committee movement center centre hospital school college university
    church mosque temple prison station road street avenue highway bridge market park square
    airport port stadium plant factory federation league brigade battalion regiment division
    corps group organisation organization alliance coalition network institute agency
    authority commission government administration assembly parliament congress senate
    bagh chowk plaza mall hotel camp base""".split()
)
# Lower-case words inside names: "Oaxaca de Juarez", "Sao Jose dos Campos".
_ARTICLES = frozenset("al el ad ar as ash at an az ed er es et".split())
_CONNECTORS = frozenset(
    "de del la las los el al do da dos das di du des le y sur am an der van von bin ibn of".split()
)
_NOT_NAME_ENTS = frozenset(
    {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "NORP"}
)
_ROUGH = frozenset({"country", "continent", "region", "water"})
# Words between a preposition and a name: "in central Lancaster", "near the rural town".
_BEFORE_NAME = frozenset(
    "the a an central downtown northern southern eastern western rural urban suburban"
    " greater outer inner".split()
)
_MAX_WORDS = 6
# Sites named after their town: "the tribunal of Paris", "the main square of Goma".
_SITE_OF = frozenset(
    "council tribunal court courthouse university school square hall prefecture streets"
    " centre center port harbour harbor".split()
)
# Nouns of a place's surroundings before "of": "the outskirts of Goma".
_AROUND_OF = frozenset("direction outskirts outskirt vicinity suburbs environs".split())


@dataclass(slots=True)
class Toponym:
    """A name found in a sentence: its tokens, the qualifiers after it, and how sure."""

    start: int
    end: int  # exclusive, token indices in the doc
    name: str
    quals: list[str]
    want: str | None
    score: float
    place: Place | None = None
    after: int = 0  # first token after the name, its kind word and its qualifiers
    cue: float = 0.0  # from the words before it (see _cue)

    @property
    def strong(self) -> bool:
        """Said to be a place: a place preposition, a kind word or qualifiers."""
        return self.cue >= 2.0 or bool(self.quals) or self.want is not None


def split_kind(text: str) -> tuple[str, str | None]:
    """ "Sagaing district" -> ("Sagaing", "admin2"); a name without a kind word as is."""
    words = text.split()
    if len(words) > 1 and words[-1].lower() in KIND_AFTER:
        return " ".join(words[:-1]), KIND_AFTER[words[-1].lower()]
    return text, None


def kind_at(sent: Span, k: int) -> tuple[str | None, int] | None:
    """The kind word at token ``k`` ("district", "sub-county" as one or three tokens) and the
    token after it, or None."""
    doc = sent.doc
    if k >= sent.end:
        return None
    w = doc[k].lower_
    sub = w == "sub" and k + 2 < sent.end and doc[k + 1].text == "-"
    if sub and doc[k + 2].lower_ in KIND_AFTER:
        return KIND_AFTER[doc[k + 2].lower_], k + 3
    if w in KIND_AFTER:
        return KIND_AFTER[w], k + 1
    return None


def _inside(p: Place, q: Place) -> bool:
    """Whether place ``p`` plausibly lies in qualifier place ``q``."""
    if q.feature == "country":
        return p.country == q.country
    if p.country and q.country and p.country != q.country:
        return False
    if q.feature == "admin1":
        if p.admin1 and p.feature != "admin1":
            return p.admin1 == q.name
        return haversine_km(p.lat, p.lon, q.lat, q.lon) < 300
    if q.feature == "admin2":
        return haversine_km(p.lat, p.lon, q.lat, q.lon) < 80
    if q.feature in ("city", "site"):  # a district named after its seat: "(Batagarawa, ...)"
        return haversine_km(p.lat, p.lon, q.lat, q.lon) < 60
    return False


# A city this large is itself, whatever a qualifier it does not lie in seems to say.
_WELL_KNOWN = 1_000_000
_KOREAN_SUFFIX = re.compile(r"-(gun|si|gu|ri|myeon|eup|dong)$", re.I)
_FRENCH_COMPASS = re.compile(r"(nord|sud|est|ouest)[\s-]+", re.I)
_COMPASS_EN = {"nord": "North", "sud": "South", "est": "East", "ouest": "West"}
_COMPASS_TAIL = re.compile(r"[\s-]+(north|south|east|west|central)$", re.I)


def _cands(gaz: Gazetteer, text: str) -> tuple[list[Place], str | None]:
    name, want = split_kind(text.strip())
    if not gaz.candidates(name) and " - " in name:
        name = name.split(" - ")[0]  # "Bogota - Teusaquillo": a city's district
    if not gaz.candidates(name):
        # "Hongseong-gun", "Singyeong-ri": Korean romanised division suffixes
        bare = _KOREAN_SUFFIX.sub("", name)
        name = bare if gaz.candidates(bare) else name
    if not gaz.candidates(name):
        # "Sud-Kivu", "Nord-Ouest": French compass words before a division's name
        m = _FRENCH_COMPASS.match(name)
        if m and gaz.candidates(_COMPASS_EN[m.group(1).lower()] + " " + name[m.end() :]):
            name = _COMPASS_EN[m.group(1).lower()] + " " + name[m.end() :]
    if not gaz.candidates(name):
        name = _COMPASS_TAIL.sub("", name)  # "Shan-North", "Yangon-East": part of a division
    out = [c.place for c in gaz.candidates(name) if c.how != DEMONYM]
    if not out and want is None:
        out = [c.place for c in gaz.candidates(text) if c.how != DEMONYM]
    return out, want


def resolve_qualified(
    gaz: Gazetteer, name: str, quals: Sequence[str], ctx: PlaceContext | None = None
) -> Place | None:
    """The place called ``name`` that lies in the qualifiers (innermost first), else the
    most specific qualifier that lies in the rest; None when no qualifier is a known place
    (then the caller resolves ``name`` on its own).

    A qualifier counts fully when a place of that name contains the candidate, half when
    only an ISO 3166-2 division of that name is in the candidate's country."""
    quals = [q for q in quals if q.strip()][:4]
    qc: list[list[Place]] = []
    hints: list[set[str]] = []
    kinds: list[str | None] = []
    for q in quals:
        found, kind = _cands(gaz, q)
        kinds.append(kind)
        ps = [p for p in found if p.feature not in ("continent", "water")]
        base = _COMPASS_TAIL.sub("", split_kind(q)[0])
        hs = set(gaz.division_countries(q)) | set(gaz.division_countries(base))
        if hs:  # a division name: not a same-named town abroad ("Nandi", "Bay")
            ps = [p for p in ps if p.country in hs or p.feature == "country"]
        qc.append(ps)
        hints.append(hs | {p.country for p in ps if p.feature == "country" and p.country})
    if not any(qc) and not any(hints):
        return None

    def support(p: Place, start: int) -> float:
        hits = 0.0
        for qs, hs in zip(qc[start:], hints[start:], strict=True):
            if any(q == p or _inside(p, q) for q in qs):
                hits += 1.0  # "Kikwit (Kikwit, Kwilu)": a town and its same-named district
            elif p.country in hs:
                hits += 0.5
        return hits

    cands, want = _cands(gaz, name)
    best: tuple[float, float, Place] | None = None
    for p in cands:
        if p.feature in _ROUGH and p.feature != "country":
            continue
        hits = support(p, 0)
        if hits == 0:
            continue
        fine = {"city": 0.2, "site": 0.2, "admin2": 0.1}.get(p.feature, 0.0)
        rank = (
            hits + 0.25 * _in_ctx(p, ctx),
            (want is not None and p.feature == want) + fine + p.population / 1e11,
        )
        if best is None or rank > best[:2]:
            best = (*rank, p)
    if best is not None and (best[0] >= 1.0 or len(qc) > 1 or not _division_named(qc, best[2])):
        return best[2]
    # only the country agrees while a division of it is named: "Vale (North Carolina)" is
    # not Orangevale, California; the division stands in
    if any(p.feature == "city" and p.population >= _WELL_KNOWN for p in cands):
        return None  # "Bogota (Bogota, D.C.)": a capital is not a town of the qualifier's
    # the name is unknown here (or only elsewhere): its innermost qualifier that lies in
    # the outer ones stands in for it
    for k, qs in enumerate(qc):
        if not qs:
            continue
        has_outer = any(qc[k + 1 :]) or any(hints[k + 1 :])
        fine = {"city": 3, "site": 3, "admin2": 2, "admin1": 1}
        scored = sorted(
            # "Karlivka, Donetsk region": the region, not the city
            (
                (support(q, k + 1), q.feature == kinds[k], fine.get(q.feature, 0), q.population, q)
                for q in qs
            ),
            key=lambda t: t[:4],
            reverse=True,
        )
        if has_outer and scored[0][0] < 0.5:
            continue  # the outer qualifiers place it elsewhere, or do not settle it
        q = scored[0][4]
        small = q.feature == "city" and q.population < 15_000
        if small and ctx is not None and ctx.countries.get(q.country or "", 0.0) < 1.0:
            continue  # a village abroad that happens to share a district's name
        return q
    return None


def _division_named(qc: list[list[Place]], p: Place) -> bool:
    """Whether a qualifier names a division of ``p``'s country (that does not hold it)."""
    return any(
        q.feature in ("admin1", "admin2") and q.country == p.country for qs in qc for q in qs
    )


def _in_ctx(p: Place, ctx: PlaceContext | None) -> bool:
    """Whether the article names the place's country (a tie-breaker between namesakes)."""
    return ctx is not None and p.country is not None and p.country in ctx.countries


def _namey(tok: Token) -> bool:
    t = tok.text
    return (
        bool(t)
        and (t[0].isupper() or (t[0].isdigit() and tok.pos_ == "PROPN"))
        # a town the small model takes for a people ("coded to Beryslav" tagged NORP) is
        # still a name when the parser calls it a proper noun
        and (
            tok.ent_type_ not in _NOT_NAME_ENTS or (tok.ent_type_ == "NORP" and tok.pos_ == "PROPN")
        )
        and tok.pos_ not in ("PRON", "DET", "ADP", "CCONJ", "AUX", "VERB")
    )


def name_start(doc: Doc, i: int) -> int:
    """Where a name ending in token ``i``'s run starts once a joined Arabic article is
    counted: the "el" of "el-Fasher" when ``i`` is "Fasher"."""
    if i >= 2 and _article_prefix(doc, i - 2, i + 1):
        return i - 2
    return i


def _article_prefix(doc: Doc, i: int, end: int) -> bool:
    """A lower-case Arabic article joined to a name: "al-Qaim", "el-Fasher", "ad-Dawr"."""
    return (
        doc[i].lower_ in _ARTICLES
        and i + 2 < end
        and doc[i + 1].text == "-"
        and not doc[i].whitespace_
        and not doc[i + 1].whitespace_
        and _namey(doc[i + 2])
    )


def _runs(sent: Span) -> list[tuple[int, int]]:
    """Runs of capitalised words, joined by hyphens and lower-case name connectors."""
    doc = sent.doc
    runs, i, end = [], sent.start, sent.end
    while i < end:
        if not _namey(doc[i]) and not _article_prefix(doc, i, end):
            i += 1
            continue
        j = i + 1
        while j < end:
            t = doc[j]
            if _namey(t):
                j += 1
            elif (
                t.text == "-"
                and not doc[j - 1].whitespace_
                and not t.whitespace_
                and j + 1 < end
                and doc[j + 1].is_alpha
            ):  # "Port-au-Prince", "Ti-n-Agadel"
                j += 2
            elif (
                (t.text == "-" or t.lower_ in _CONNECTORS) and j + 1 < end and _namey(doc[j + 1])
            ):  # "Oaxaca de Juarez", "Mrauk-U", "Los Angeles - Central" (a city's district)
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def run_around(sent: Span, start: int, end: int) -> tuple[int, int]:
    """The run of capitalised words (see :func:`scan`) that holds tokens start..end
    (inclusive), as inclusive bounds; the bounds themselves when no run holds them."""
    for a, b in _runs(sent):
        if a <= start and end < b:
            return a, b - 1
    return start, end


def qualifiers(sent: Span, end: int) -> tuple[list[str], int]:
    """Qualifiers after a name ending at token ``end``: "(A, B, C)" or ", A" (one name)."""
    doc = sent.doc
    if end >= sent.end:
        return [], end
    if doc[end].text == "(":
        stop = min(sent.end, end + 24)
        close = next((t.i for t in doc[end + 1 : stop] if t.text == ")"), None)
        if close is None:
            return [], end
        inner = doc[end + 1 : close].text
        quals = [q.strip() for q in inner.split(",") if q.strip()]
        return [q for q in quals if not q.lower().startswith("coded ")], close + 1
    if doc[end].text == "," and end + 1 < sent.end and _namey(doc[end + 1]):
        j = end + 1
        while j < sent.end and (_namey(doc[j]) or doc[j].text == "-"):
            j += 1
        q = doc[end + 1 : j].text
        if j < sent.end and doc[j].lower_ in KIND_AFTER:
            q += " " + doc[j].text
        return [q], j
    return [], end


def scan(
    gaz: Gazetteer, sent: Span, ctx: PlaceContext | None, used: set[int] | frozenset[int] = ()
) -> list[Toponym]:
    """Every known place name in the sentence with its evidence score, best first."""
    doc = sent.doc
    found: list[Toponym] = []
    skip = sent.start  # tokens inside an earlier name's qualifiers are not names of their own
    for a, b in _runs(sent):
        if a < skip and _cue(sent, a) < 3.0:  # except "(coded to Hlukhiv)"
            continue
        if doc[a].lower_ in NOT_PLACE_HEADS and b - a > 1:
            continue  # "University of Texas", "Bank of Japan": a body, not a town
        if b - a > 1 and doc[b - 1].lower_ in NOT_PLACE_HEADS:
            # "Kongo Trading Center", "Wonju City Hall": a building or body; its town may
            # follow in parentheses: "in front of the Suwon City Hall (Suwon)"
            top = _building(gaz, sent, a, b, ctx)
            if top is not None:
                found.append(top)
                skip = max(skip, top.after)
            continue
        i, any_hit = a, False
        while i < b:
            hit = None
            for j in range(min(b, i + _MAX_WORDS), i, -1):
                text = doc[i:j].text
                if not _namey(doc[j - 1]):
                    continue  # a name ends on a name word, not on "-" or "de"
                if len(text) >= 3 and gaz.candidates(text):
                    hit = j
                    break
            if hit is None:
                # a name starts its run ("Juarez" inside "Oaxaca de Juarez" is not one), or
                # follows "of" in it ("Governor of Kherson"; "Gulf of Aden" is one name)
                of = next((k for k in range(i, b) if doc[k].lower_ == "of"), None)
                if of is None:
                    break
                i = of + 1
                continue
            # "Los Angeles - Central": a city and its district; the city stands for both
            # ("Seoul City - Jongno" too: the city's own "City" word before the dash)
            city_dash = hit + 1 < b and doc[hit].lower_ == "city" and doc[hit + 1].text == "-"
            tail = b if hit < b and (doc[hit].text == "-" or city_dash) else hit
            top = _score_name(gaz, sent, i, hit, b, ctx, used, tail)
            if top is not None:
                any_hit = True
                found.append(top)
                if top.quals:
                    skip = max(skip, top.after)
            i = tail
        if not any_hit:
            # a name the gazetteer lacks, written with its divisions: "Opira I village
            # (Oicha, Beni, Nord-Kivu)" -> the innermost division that resolves
            top = _unknown_name(gaz, sent, a, b, ctx, used)
            if top is not None:
                found.append(top)
                skip = max(skip, top.after)
    found.sort(key=lambda t: (-t.score, t.start))
    return found


def _score_name(
    gaz: Gazetteer,
    sent: Span,
    i: int,
    j: int,
    run_end: int,
    ctx: PlaceContext | None,
    used: set[int] | frozenset[int],
    tail: int,
) -> Toponym | None:
    doc = sent.doc
    if any(k in used for k in range(i, j)):
        return None
    if j < run_end and doc[run_end - 1].lower_ in NOT_PLACE_HEADS:
        return None  # "Wonju City Hall", "Kongo Trading Center": a building or body
    if j == run_end and j < sent.end and doc[j].lower_ in NOT_PLACE_HEADS:
        return None  # "Kikwit hospital"
    name = doc[i:j].text
    score = 0.0
    cue = _cue(sent, i)
    score += cue
    pw = "in" if cue >= 2.0 else ""
    want = None
    k = tail
    kind = kind_at(sent, k) if tail == run_end else None
    if kind is not None:
        want, k = kind
        score += 2.0
    quals, after = qualifiers(sent, k)
    place = None
    if quals:
        place = resolve_qualified(gaz, name, quals, ctx)
        if place is not None:
            score += 3.0
        else:
            quals = []  # "WASHINGTON, Feb 2": words after a comma that place nothing
    if place is None:
        if want is not None:
            place = gaz.resolve(f"{name} {doc[j].text}", ctx, demonyms=False)
        place = place or gaz.resolve(name, ctx, demonyms=False)
    if place is None:
        return None
    label = doc[i].ent_type_
    if not quals and label not in ("GPE", "LOC", "FAC") and j - i == 1:
        # a one-word alternate name only ("Black" for Blacksburg): weak evidence on its
        # own; a longer one is a real exonym ("Den Haag")
        main = any(c.how != ALT for c in gaz.candidates(name) if c.place == place)
        score -= 0.0 if main else 1.5
    if label in ("GPE", "LOC", "FAC"):
        score += 1.0
    elif label in ("PERSON", "ORG") and not quals:
        score -= 1.0
    if place.feature in _ROUGH:
        score -= 2.0
    elif place.feature in ("city", "site"):
        score += 0.5
        # an obscure namesake of a word: only in a country the text is about
        if (
            place.population < 15_000
            and not quals
            and pw not in PLACE_PREPS
            and (ctx is None or place.country not in ctx.countries)
        ):
            return None
    return Toponym(i, j, name, quals, want, score, place, after, cue)


def _cue(sent: Span, i: int) -> float:
    """How strongly the words before token ``i`` say a place follows: "in", "near", "the
    village of", "coded to" (the notes' convention for the point an event is given)."""
    doc = sent.doc
    prev = i - 1
    while prev >= sent.start and doc[prev].lower_ in _BEFORE_NAME:
        prev -= 1  # "in central Lancaster", "near the town"
    pw = doc[prev].lower_ if prev >= sent.start else ""
    if (
        pw == "("
        and prev > sent.start
        and (doc[prev - 1].pos_ in ("NOUN", "PROPN") or doc[prev - 1].text == ")")
    ):
        # a place in brackets after a thing: "in front of the city hall (Suwon)"
        return 2.0
    if pw in PLACE_PREPS:
        return 2.0
    if pw in ("to", "as") and prev - 1 >= sent.start and doc[prev - 1].lower_ == "coded":
        return 3.0
    if pw == "of" and prev - 1 >= sent.start and doc[prev - 1].lower_ in _SITE_OF:
        return 2.0  # "in front of the city council of Paris", "the university of Leeds"
    if pw == "of" and prev - 1 >= sent.start and doc[prev - 1].lower_ in _AROUND_OF:
        return 2.0  # "in the direction of Izium", "on the outskirts of Goma"
    if pw == "of" and prev - 1 >= sent.start and doc[prev - 1].lower_ in KIND_AFTER:
        return 2.5
    return 1.0 if pw in _WEAK_PREPS else 0.0


def _unknown_name(
    gaz: Gazetteer,
    sent: Span,
    i: int,
    j: int,
    ctx: PlaceContext | None,
    used: set[int] | frozenset[int],
) -> Toponym | None:
    """An unknown name placed by its qualifiers; a kind word or place preposition must say
    it is a place."""
    doc = sent.doc
    if any(k in used for k in range(i, j)):
        return None
    k, want, kind = j, None, kind_at(sent, j)
    if kind is not None:
        want, k = kind
    cue = _cue(sent, i)
    if kind is None and cue < 2.0:
        return None
    quals, after = qualifiers(sent, k)
    if not quals:
        return None
    place = resolve_qualified(gaz, doc[i:j].text, quals, ctx)
    if place is None:
        return None
    score = cue + (1.0 if want else 0.0) + 2.0 - (2.0 if place.feature in _ROUGH else 0.0)
    return Toponym(i, j, doc[i:j].text, quals, want, score, place, after, cue)


def _building(
    gaz: Gazetteer, sent: Span, a: int, b: int, ctx: PlaceContext | None
) -> Toponym | None:
    """A building's name followed by "(Town)" or "(Town, Division)": the town."""
    doc = sent.doc
    if b >= sent.end or doc[b].text != "(":
        return None
    quals, after = qualifiers(sent, b)
    if not quals:
        return None
    place = resolve_qualified(gaz, quals[0], quals[1:], ctx) if len(quals) > 1 else None
    place = place or gaz.resolve(quals[0], ctx, demonyms=False)
    if place is None and " - " in quals[0]:  # "(Seoul City - Jongno)": a city's district
        place = gaz.resolve(quals[0].split(" - ")[0], ctx, demonyms=False)
    if place is None or place.feature in _ROUGH:
        return None
    cue = _cue(sent, a)
    return Toponym(a, b, quals[0], quals[1:], None, 2.0 + cue, place, after, max(cue, 2.0))
