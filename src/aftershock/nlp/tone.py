"""Tone and emotions of an evidence sentence, from the project's own small lexicon.

Tone follows GDELT's convention: (positive words - negative words) / words * 100, so a
hostile sentence scores about -5..-15 and the scale runs roughly -100..+100. Emotion
intensities are the share of emotion-bearing words per category, capped at 1.
The word lists below were written for Aftershock (not copied from any lexicon).
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Span

NEGATIVE = frozenset(
    """abuse accuse aggression alarm anger angry assault attack atrocity bitter blame bloody
    bomb brutal casualty catastrophe chaos clash collapse condemn conflict crisis cruel damage
    danger dead deadly death defeat denounce destroy destruction devastate die disaster
    dispute displace enemy escalate escalation execute explode explosion fail famine fear
    fight fighting flee funeral grief harm hatred hostile hostility indignation injure injury
    insurgent kill killing loss mourn mourning murder outcry outrage pain protest rage raid
    reject retaliate retaliation retribution revenge riot risk sad sanction shell shelling
    shoot siege slain slaughter sorrow strike suffer suicide tension terror terrorist threat
    threaten torture tragedy unrest victim violence violent war wound wounded""".split()
)
POSITIVE = frozenset(
    """agree agreement aid assist calm ceasefire celebrate commend cooperate cooperation
    deal diplomacy ease free friendly gain good grateful help hope improve peace peaceful
    praise progress promise protect reconcile reconciliation recover release relief rescue
    resolve restore safe secure settle stability stable success support thank treaty truce
    trust unite welcome win""".split()
)
EMOTIONS: dict[str, frozenset[str]] = {
    "anger": frozenset(
        "anger angry fury furious outrage outcry indignation rage revenge retribution "
        "avenge hostile hatred condemn denounce chant".split()
    ),
    "fear": frozenset(
        "fear afraid alarm danger threat threaten terror panic flee risk looming ominous "
        "escalate escalation warn".split()
    ),
    "sadness": frozenset(
        "grief mourn mourning funeral sorrow sad loss tragedy victim casualty slain dead "
        "death fallen wilt".split()
    ),
    "joy": frozenset("celebrate joy happy jubilant relief win success".split()),
    "trust": frozenset("trust agree agreement ally support cooperate treaty pledge".split()),
    "disgust": frozenset("atrocity brutal cruel massacre slaughter disgust".split()),
    "surprise": frozenset("sudden surprise unexpected shock stun unforeseen".split()),
    "anticipation": frozenset(
        "expect anticipate await future potential possibility prospect vow plan".split()
    ),
}


def tone_and_emotions(span: Span) -> tuple[float, dict[str, float]]:
    words = [t for t in span if t.is_alpha]
    if not words:
        return 0.0, {}
    lemmas = [t.lemma_.lower() for t in words]
    pos = sum(1 for lem in lemmas if lem in POSITIVE)
    neg = sum(1 for lem in lemmas if lem in NEGATIVE)
    tone = round((pos - neg) / len(words) * 100, 2)
    counts: Counter[str] = Counter()
    for lem, low in zip(lemmas, (t.lower_ for t in words), strict=True):
        for emo, vocab in EMOTIONS.items():
            if lem in vocab or low in vocab:
                counts[emo] += 1
    scale = max(3, len(words) // 8)  # ~1 emotion word per 8 words saturates
    emotions = {e: round(min(1.0, n / scale), 3) for e, n in counts.items()}
    return tone, emotions
