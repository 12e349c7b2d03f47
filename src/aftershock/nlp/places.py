"""Where an event happened, from the spaCy parse: the article's place context, and the place
of each event from the words attached to its trigger, its sentence and the story.

Order of evidence for an event: a place the parse attaches to its trigger ("shelled El
Fasher", "attack in Baghdad"), refined to a town of the sentence that lies inside it when it
is only a division or country; else the best-attested name of the sentence found by the
gazetteer (:mod:`aftershock.nlp.toponyms`: place prepositions, kind words, qualifiers such as
"Kikwit (Kikwit, Kwilu)"); else a place entity under a place preposition. The caller then
falls back to the dateline and the story's own town.

The gazetteer (names -> places, offline) is :mod:`aftershock.nlp.gazetteer`; its names are
re-exported here for callers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Span, Token

from aftershock.nlp.gazetteer import (
    Candidate,
    Gazetteer,
    Place,
    PlaceContext,
    default_gazetteer,
    haversine_km,
    norm,
)
from aftershock.nlp.toponyms import (
    NOT_PLACE_HEADS,
    Toponym,
    kind_at,
    name_start,
    qualifiers,
    resolve_qualified,
    run_around,
    scan,
)

__all__ = [
    "Candidate",
    "Gazetteer",
    "Place",
    "PlaceContext",
    "PlaceResolver",
    "default_gazetteer",
    "haversine_km",
    "norm",
]


# ---------------------------------------------------------------------------------------
# Where an event happened, from the spaCy parse

_PLACE_LABELS = ("GPE", "LOC", "FAC")
_CONTEXT_LABELS = ("GPE", "LOC", "FAC", "NORP")
# ("marched through Olsztyn": a march happens along its way)
_PLACE_PREPS = frozenset(
    {"in", "near", "at", "outside", "across", "around", "inside", "into", "through"}
)
_TARGET_PREPS = frozenset({"on", "against"})  # "the attack on Ain al-Asad"
_PLACE_NOUNS = frozenset(
    {
        "town",
        "city",
        "village",
        "province",
        "region",
        "district",
        "area",
        "state",
        "county",
        "governorate",
        "neighbourhood",
        "neighborhood",
        "suburb",
        "camp",
        "port",
        "base",
        "airbase",
        "airport",
        "crossing",
        "outpost",
        "garrison",
        "airfield",
    }
)
_NAME_POS = frozenset({"PROPN", "NUM"})
_NOT_PLACE_LABELS = frozenset(
    {"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
)
# Places too coarse to be where an event happened when a finer one is named.
_ROUGH = frozenset({"country", "continent", "region", "water"})
_POINTS = frozenset({"city", "site"})
# Evidence a scanned name needs (a place preposition, a kind word or qualifiers).
_MIN_CUE = 1.5
# Margin above which a context-free resolution is trusted to build context.
_SURE = 1.5
# The cue of a name after "coded to" / "coded as" (see toponyms._cue).
_CODED_CUE = 3.0
# Weight of a place that only the article's other places settle.
_UNSURE_WEIGHT = 0.25


class PlaceResolver:
    """Resolves places in a parsed article: builds the article's :class:`PlaceContext` and
    picks the place of each event from the words attached to its trigger."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else default_gazetteer()

    # -- context --------------------------------------------------------------------
    def context(self, doc: Doc | Sequence[Span], dateline: str | None = None) -> PlaceContext:
        """Countries the text names (and demonyms), plus places it names unambiguously."""
        ctx = PlaceContext()
        ents = doc.ents if isinstance(doc, Doc) else doc
        seen: dict[str, tuple[Place | None, float]] = {}
        unsure: dict[str, None] = {}
        for ent in ents:
            if ent.label_ not in _CONTEXT_LABELS:
                continue
            key = ent.text
            if key not in seen:
                seen[key] = self.gazetteer.margin(key)
            place, margin = seen[key]
            if place is None:
                # a division GeoNames spells otherwise still names its country
                hint = self.gazetteer.division_countries(key)
                if len(hint) == 1 and ent.label_ != "NORP":
                    ctx.countries[hint[0]] = ctx.countries.get(hint[0], 0.0) + 0.5
                continue
            if place.feature == "country":
                ctx.add(place, 1.0)
            elif ent.label_ != "NORP" and place.feature != "continent":
                if margin >= _SURE:
                    ctx.add(place, 0.5, key)
                else:
                    unsure[key] = None
        # names ambiguous on their own, settled by the countries and places named surely:
        # "Florida" (a state, a town in Uruguay) in a story that names the United States
        # adds its state for "Parkland"
        if ctx.countries:
            # each against the sure context alone, so that their order does not matter
            settled = [(key, self.gazetteer.resolve(key, ctx)) for key in unsure]
            for key, place in settled:
                if place is None or place.country not in ctx.countries:
                    continue
                had = (place.country, place.admin1) in ctx.admin1
                ctx.add(place, _UNSURE_WEIGHT, key)
                if not had and place.feature not in ("admin1", "admin2"):
                    # a town's division would vote for the town itself ("Parkland" picks
                    # its Washington namesake, whose state then backs it): divisions only
                    ctx.admin1.discard((place.country, place.admin1))
        if dateline:
            self.add_dateline(ctx, dateline)
        return ctx

    def add_dateline(self, ctx: PlaceContext, dateline: str) -> Place | None:
        """Resolve the article's dateline place in ``ctx`` and add it as context."""
        # "GOMA" in capitals, as datelines are set, is the town, not an acronym
        name = dateline.title() if dateline.isupper() else dateline
        ctx.dateline = self.gazetteer.resolve(name, ctx)
        if ctx.dateline is not None:
            ctx.add(ctx.dateline, 1.0)
        return ctx.dateline

    def resolve(self, text: str, ctx: PlaceContext | None = None) -> Place | None:
        """A toponym's place; a name the gazetteer lacks that contains a well-known place
        ("Colorado State University", "Bank of Japan", "Dubai World Cup") is that place."""
        p = self.gazetteer.resolve(text, ctx)
        if p is not None:
            return p
        return self.gazetteer.resolve_part(text, ctx)

    def resolve_toponym(self, text: str, ctx: PlaceContext | None = None) -> Place | None:
        """A toponym the text names, as a geoparser reports it: :meth:`resolve`, else, for
        a name no gazetteer knows (a stadium, an estate, a village under 500 people), the
        country the article is mainly about, at country precision, rather than nothing."""
        p = self.resolve(text, ctx)
        return p if p is not None else self.country_fallback(ctx)

    def country_fallback(self, ctx: PlaceContext | None) -> Place | None:
        """The article's main country as a place (country precision), or None."""
        main = self.main_country(ctx) if ctx is not None else None
        return self.gazetteer.country(main) if main else None

    @staticmethod
    def main_country(ctx: PlaceContext) -> str | None:
        """The country an article is set in: its dateline's, else the one whose towns and
        divisions it names most, else the one it names most (a story set in New Orleans
        that mentions France four times is still set in the United States)."""
        if ctx.dateline is not None and ctx.dateline.country:
            return ctx.dateline.country
        local: dict[str, int] = {}
        for country, _ in ctx.admin1:
            local[country] = local.get(country, 0) + 1
        pool = local or ctx.countries
        if not pool:
            return None
        return max(pool, key=lambda c: (pool[c], ctx.countries.get(c, 0.0), c))

    # -- events ---------------------------------------------------------------------
    def event_place(
        self,
        mentions: Sequence[Any],
        ctx: PlaceContext,
        *,
        best: Any = None,
        actors: Sequence[Any] = (),
    ) -> Place | None:
        """Where the event reported by ``mentions`` happened: a place attached to one of its
        triggers, else one named under a place preposition in the sentence of ``best``
        (default: the first mention), not naming one of ``actors`` (spans).

        A mention needs ``trigger`` (Token), ``sent`` (Span), ``nominal`` (bool) and
        ``trig.kind``. The dateline fallback is the caller's.
        """
        best = best if best is not None else (mentions[0] if mentions else None)
        place = self._event_place(mentions, ctx, best, actors)
        if best is not None and (place is None or place.feature not in _POINTS):
            # "[coded to Beryslav]": the note names the town that stands for the event
            for t in scan(self.gazetteer, best.sent, ctx, _spans(actors)):
                coded = t.place if t.cue >= _CODED_CUE else None
                fits = coded is not None and (place is None or _within(coded, place))
                if fits and coded.feature in _POINTS:
                    return coded
        return place

    def _event_place(
        self, mentions: Sequence[Any], ctx: PlaceContext, best: Any, actors: Sequence[Any]
    ) -> Place | None:
        for m in mentions:
            place = self.trigger_place(m.trigger, ctx, nominal=m.nominal, kind=m.trig.kind)
            if place is not None:
                if place.feature not in _POINTS:
                    # "in Mazatlan municipality, Sinaloa" parsed as "in Sinaloa": a town of
                    # the sentence inside the division is the better answer
                    finer = self.scanned_place(m.sent, ctx, _spans(actors))
                    if finer is not None and finer.feature in _POINTS and _within(finer, place):
                        return finer
                return place
        if best is None:
            return None
        return self.sentence_place(best.sent, ctx, actors=actors)

    def trigger_place(
        self, tok: Token, ctx: PlaceContext, *, nominal: bool = False, kind: str = ""
    ) -> Place | None:
        """A place attached to the trigger word: "strike in Baghdad", "shelled El Fasher",
        "attack on Ain al-Asad air base", "the Baghdad bombing"."""
        anchors: list[Token] = [tok]
        if tok.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj") and tok.head.pos_ == "VERB":
            anchors.append(tok.head)
        violent = kind in ("violent", "kill")
        if not nominal and violent:
            # "the RSF shelled El Fasher": the object is a place, not an actor
            for obj in tok.children:
                if obj.dep_ in ("dobj", "nsubjpass") and (
                    obj.pos_ == "PROPN" or obj.lemma_.lower() in _PLACE_NOUNS
                ):
                    place = self.phrase_place(obj, ctx)
                    if place is not None:
                        return place
        for a in anchors:
            for prep in a.children:
                if prep.dep_ != "prep":
                    continue
                target = prep.lower_ in _TARGET_PREPS and violent
                if prep.lower_ not in _PLACE_PREPS and not target:
                    continue
                for pobj in prep.children:
                    if pobj.dep_ != "pobj":
                        continue
                    place = self.phrase_place(pobj, ctx)
                    # an attack "on the US" did not happen in the US; one on a base did
                    if place is not None and (not target or place.feature in ("site", "city")):
                        return place
        if nominal:
            # "the Baghdad bombing": a compound that names a town or site, not a country
            for c in tok.children:
                if c.dep_ == "compound" and c.ent_type_ in _PLACE_LABELS:
                    place = self.phrase_place(c, ctx)
                    if place is not None and place.feature in ("city", "site", "admin1"):
                        return place
        return None

    def sentence_place(
        self, sent: Span, ctx: PlaceContext, *, actors: Sequence[Any] = ()
    ) -> Place | None:
        """A place named elsewhere in the sentence under a place preposition, not one that
        names an actor ("Iraqi officials") or sits in a clause about something else."""
        used = _spans(actors)
        top = self.scanned_toponym(sent, ctx, used)
        scanned = top.place if top is not None else None
        if top is not None and scanned.feature in _POINTS and (top.quals or top.want):
            return scanned  # written as a place: "Kikwit (Kikwit, Kwilu)", "Ghotki city"
        for ent in sent.ents:
            if ent.label_ not in _PLACE_LABELS or ent.start in used:
                continue
            head = ent.root.head
            if ent.root.dep_ != "pobj" or head.lower_ not in _PLACE_PREPS:
                continue
            if any(t.dep_ == "relcl" for t in ent.root.ancestors):
                continue
            p = self.qualified(ent.root, ctx)
            p = p or self.gazetteer.resolve(ent.text, ctx, demonyms=False)
            if p is not None:
                return _finer(p, scanned)
        for tok in sent:
            # names the small NER model missed: "in Mawanella (Mawanella, Sabaragamuwa)"
            if (
                tok.dep_ == "pobj"
                and tok.pos_ == "PROPN"
                and tok.head.lower_ in _PLACE_PREPS
                and tok.i not in used
                and tok.ent_type_ not in _NOT_PLACE_LABELS
            ):
                p = self.phrase_place(tok, ctx)
                if p is not None:
                    return _finer(p, scanned)
        return scanned

    def focus_place(self, doc: Doc, ctx: PlaceContext) -> Place | None:
        """The first town or site the article names under a place preposition: where a
        story is, for its events that name no place of their own."""
        for sent in doc.sents:
            p = self.sentence_place(sent, ctx, actors=())
            if p is not None and p.feature not in ("country", "continent", "region", "water"):
                return p
        return None

    def qualified(self, tok: Token, ctx: PlaceContext | None = None) -> Place | None:
        """A name followed by the division or country it lies in: "Saint Petersburg
        (Florida)", "Cordoba, Spain", "Ghotki city (Ghotki, Sindh)". The place is the
        candidate of the name that lies in the qualifiers, which settles ambiguity better than
        any prior; for a name the gazetteer lacks, the most specific qualifier. None when
        there is no qualifier."""
        doc, sent = tok.doc, tok.sent
        start = end = tok.i
        while start > sent.start and doc[start - 1].pos_ in _NAME_POS:
            start -= 1
        while end + 1 < sent.end and doc[end + 1].pos_ in _NAME_POS:
            end += 1
        # the whole written name: "Oaxaca de Juarez", "Port-au-Prince"
        start, end = run_around(sent, start, end)
        k = end + 1
        kind = kind_at(sent, k)  # "Taze township (Shwebo district)"
        if kind is not None:
            k = kind[1]
        quals, _ = qualifiers(sent, k)
        if not quals:
            return None
        return resolve_qualified(self.gazetteer, doc[start:k].text, quals, ctx)

    def scanned_place(
        self, sent: Span, ctx: PlaceContext, used: set[int] | frozenset[int] = frozenset()
    ) -> Place | None:
        """The best-attested place name of the sentence found by the gazetteer (see
        :mod:`aftershock.nlp.toponyms`): a town or division with some cue, else a country
        under a place preposition."""
        t = self.scanned_toponym(sent, ctx, used)
        return t.place if t is not None else None

    def scanned_toponym(
        self, sent: Span, ctx: PlaceContext, used: set[int] | frozenset[int] = frozenset()
    ) -> Toponym | None:
        """The toponym behind :meth:`scanned_place`."""
        found = [t for t in scan(self.gazetteer, sent, ctx, used) if t.place is not None]
        fine = [t for t in found if t.place.feature not in _ROUGH and t.score >= _MIN_CUE]
        rough = [t for t in found if t.place.feature == "country" and t.strong]
        for t in fine:
            # a town said to be the place: a place preposition, a kind word or qualifiers
            # ("according to the Pentagon", "roads leading to the Green Zone" are not)
            if t.strong:
                return t
        return rough[0] if rough else None

    def phrase_place(self, tok: Token, ctx: PlaceContext, *, said: bool = False) -> Place | None:
        """The place a noun phrase headed by ``tok`` names, if any (``said``: the words
        around it say it is a place, as in "the town of Goma")."""
        doc = tok.doc
        lemma = tok.lemma_.lower()
        if tok.pos_ == "PROPN" or lemma in _PLACE_NOUNS:  # "Ghotki city (Ghotki, Sindh)"
            q = self.qualified(tok, ctx)
            if q is not None:
                return q
        if lemma in _PLACE_NOUNS:
            # "the town of Goma", "the city of Kharkiv"
            for prep in tok.children:
                if prep.lower_ == "of":
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj" and pobj.pos_ == "PROPN":
                            return self.phrase_place(pobj, ctx, said=True)
            # "Ain al-Asad air base", "al-Tanf garrison", "Anbar province"
            start = next((t.i for t in tok.subtree if t.i < tok.i and t.pos_ == "PROPN"), None)
            if start is not None:
                p = self.gazetteer.resolve(doc[start : tok.i + 1].text, ctx, demonyms=False)
                if p is not None:
                    return p
        # "the Iraqi capital" -> the capital of Iraq
        if lemma == "capital":
            for c in tok.children:
                if c.dep_ in ("amod", "compound", "poss"):
                    p = self.gazetteer.resolve(c.text)
                    if p is not None and p.feature == "country" and p.country:
                        return self.gazetteer.capital(p.country)
        for ent in doc.ents:
            if ent.start <= tok.i < ent.end and ent.label_ in _PLACE_LABELS:
                p = self.gazetteer.resolve(ent.text, ctx, demonyms=False)
                if p is not None:
                    return p
        if tok.pos_ == "PROPN":
            if tok.ent_type_ in _NOT_PLACE_LABELS and not said:
                return None  # a person or a date ("Thursday"); the small model's ORG and
                # EVENT often are places ("El Fasher", "Tower 22"), so those are tried
            # the run of names and numbers around it: "Tower 22", "Ain al-Asad"
            sub = {t.i for t in tok.subtree}
            start = end = tok.i
            while start - 1 in sub and doc[start - 1].pos_ in _NAME_POS:
                start -= 1
            start = name_start(doc, start)  # "el-Fasher": the article is part of the name
            while end + 1 in sub and doc[end + 1].pos_ in _NAME_POS:
                end += 1
            if doc[end].lower_ in NOT_PLACE_HEADS:
                return None  # "Emporia State University", "Olmsted County Government Center"
            p = None
            for lo, hi in dict.fromkeys(((start, end), (start, tok.i), (tok.i, tok.i))):
                p = self.gazetteer.resolve(doc[lo : hi + 1].text, ctx, demonyms=False)
                if p is not None:
                    break
            # a name the recogniser did not call a place: only a well-known one, or one in
            # a country the article is about ("Tower" is not a village in Ireland)
            if p is not None and p.feature == "city" and p.population < 15_000 and not said:
                return p if p.country in ctx.countries else None
            return p
        # a common-noun phrase that names a curated site: "the US embassy in Baghdad"
        for ent in doc.ents:
            if ent.label_ in _PLACE_LABELS and tok.left_edge.i <= ent.start <= tok.i:
                p = self.gazetteer.resolve(ent.text, ctx, demonyms=False)
                if p is not None and p.feature == "site":
                    return p
        return None


def _spans(actors: Sequence[Any]) -> set[int]:
    """Token indices of the actors' spans (their names are not where the event was)."""
    return {
        i for a in actors if a is not None and hasattr(a, "start") for i in range(a.start, a.end)
    }


def _finer(p: Place, town: Place | None) -> Place:
    """``town`` when it lies inside the coarse place ``p`` ("in Sinaloa" of "in Mazatlan
    municipality, Sinaloa"), else ``p``."""
    if town is not None and p.feature not in _POINTS and town.feature in _POINTS:
        return town if _within(town, p) else p
    return p


def _within(p: Place, area: Place) -> bool:
    """Whether town ``p`` lies in the coarser ``area`` (a country or division)."""
    if area.country and p.country != area.country:
        return False
    if area.feature == "admin1" and p.admin1:
        return p.admin1 == area.name
    if area.feature in ("admin1", "admin2"):
        return haversine_km(p.lat, p.lon, area.lat, area.lon) < 300
    return area.feature == "country"
