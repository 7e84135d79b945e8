"""What the checks of meaning (``answer/meaning.py``) and comparison claims
(``answer/comparison.py``) share; moved here from ``meaning.py`` so that neither imports the
other.

1. The ``(code, detail)`` :data:`Reason`, the :class:`Alignment` of a claim to a window of
   passage sentences, the passage's sentences (:func:`_sentences`) and the words a
   paraphrase or a comparison template adds without adding a claim (:data:`FILLER_WORDS`).
2. How a sentence states a finding: :func:`_state` reads "null" (no difference), "change"
   or neither from the cues about the claim's terms; where a change and no difference are
   equally about them, :func:`_settled` decides (stated between the arms or within them,
   :func:`_finding_key`; naming more of the claim's outcome; :func:`_change_beats`).
   :func:`_governs` tells a negation that is part of a finding of no difference.
3. The words by which a passage refers to a trial's arms without naming them
   (:data:`GENERIC_ARM_WORDS`), and those after which it names the arm a finding is said
   of (:data:`ARM_PREPOSITIONS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from medcite.answer.cues import (
    DIRECTIONS,
    MODAL_WORDS,
    NEGATION_WORDS,
    STRENGTH_WORDS,
    Analysis,
    Cue,
    Token,
    stem_of,
)
from medcite.answer.entities import POPULATIONS
from medcite.text.sentences import sentence_spans
from medcite.text.terms import root, stems

Reason = tuple[str, str]


Drugs = Callable[[str], frozenset[str]]
"""The drugs a text names (``entities.drugs_named`` with a lexicon)."""


@dataclass(frozen=True)
class Alignment:
    passage_index: int
    sentence: str
    """The passage sentence (or two adjacent sentences) the claim was aligned to."""
    coverage: float


FILLER_WORDS = ("made make makes show shows showed shown demonstrate demonstrated "
                "demonstrates found find finds observed observe reported report reveal "
                "revealed group groups arm arms versus vs participant participants subject "
                "subjects treated receiving received").split()
_FILLERS = frozenset(s for w in FILLER_WORDS if (s := stem_of(w)))
"""Words a paraphrase or a comparison template adds without adding a claim."""
_CUE_STEMS = frozenset(s for w in (*DIRECTIONS, *NEGATION_WORDS, *MODAL_WORDS, *STRENGTH_WORDS,
                                   *(w for ws in POPULATIONS.values() for w in ws))
                       if (s := stem_of(w)))
"""Stems of the words a change of meaning swaps: aligning on them would pull the claim
towards a sentence that happens to hold the swapped word."""


# -- passage sentences ------------------------------------------------------------------

@dataclass(frozen=True)
class _Sentence:
    text: str
    terms: frozenset[str]
    roots: frozenset[str]


@lru_cache(maxsize=4096)
def _sentences(passage: str) -> tuple[_Sentence, ...]:
    found = []
    for s, e in sentence_spans(passage):
        text = passage[s:e]
        terms = frozenset(stems(text))
        found.append(_Sentence(text, terms, frozenset(root(t) for t in terms)))
    return tuple(found)


# -- how a sentence states a finding ----------------------------------------------------

GOVERNED = 8
"""Tokens after a negation in which the direction or significance it negates starts."""


def _governs(analysis: Analysis, negation: Cue) -> bool:
    """Whether a negation governs a direction ("did not reduce") or a significance ("did
    not show statistically significant differences"): it is part of a finding of no
    difference, judged as one."""
    return any(c.negated and negation.end <= c.start <= negation.end + GOVERNED
               for c in analysis.of("dir", "sig"))


def _state(analysis: Analysis, anchor: frozenset[str], weak: bool,
           outcome: frozenset[str] = frozenset()) -> str:
    """"null" (no difference found), "change" (a difference) or "" (mixed or none), from the
    cues about the claim's terms. ``weak``: an unqualified direction ("reduced") counts as a
    change (in the claim; in a passage only "significant" or a p value does). ``outcome``:
    the words naming what a comparison claim's finding is about, which settle findings
    that disagree (:func:`_settled`); the claim's terms where empty."""
    every = analysis.of("null", "sig", "dir")
    best = max((len(c.scope & anchor) for c in every), default=0)
    cues = _settled(analysis, [c for c in every if len(c.scope & anchor) == best], anchor,
                    outcome or anchor)
    null = any(c.kind == "null" or (c.kind in ("dir", "sig") and c.negated) for c in cues)
    if any(c.kind == "sig" and not c.negated for c in cues):
        return "" if null else "change"
    if null:
        return "null"
    return "change" if weak and any(c.kind == "dir" for c in cues) else ""


BETWEEN_WORDS = frozenset("between among versus vs compared comparison comparisons wise "
                          "intergroup than higher lower greater more less fewer smaller larger "
                          "better worse longer shorter superior inferior".split())
"""Words of a finding stated between the arms ("no difference between the groups", "lower in
the treatment group")."""
WITHIN_WORDS = frozenset("within both all each".split())
"""Words of a change stated within the arms ("decreased in both groups", "from baseline")."""
_ONE_ARM = re.compile(r"\b(?:in|within) (?:(?:the )?(?!the |two |both |each |all |either |other )"
                      r"\w+ (?:group|arm)|(?:group|arm) \w+)\b")
"""A change said of one arm ("increased significantly in the mangosteen group", "in group
B")."""
_ARM_SUBJECT = re.compile(r"\bthe (?!two |both |each |all |either |other |same )\w+ (?:group|arm)"
                          r" (?!and |or |vs |versus |than |compared )")
"""A change said of one arm as what the clause is about ("the mangosteen arm experienced a
weight loss", "the yoga group improved significantly"): one arm, not the two compared."""
BASELINE_WORDS = frozenset("baseline pretreatment preintervention".split())
"""Words of a change against baseline: stated within an arm, whatever else the clause
compares ("end of study vs baseline")."""


def _settled(analysis: Analysis, cues: list[Cue], anchor: frozenset[str],
             named: frozenset[str]) -> list[Cue]:
    """Of findings that disagree (a significant change and no difference, equally about the
    claim's terms), the findings of no difference that beat every change: stated between
    the arms where the change is stated within them ("X fell significantly in both groups,
    with no difference between the groups": the comparison is the latter), or naming more
    of ``named`` (the claim's outcome, else its terms) in their own clause ("although A
    rose significantly, B did not differ"). Else the changes that beat every finding of no
    difference (:func:`_change_beats`). ``anchor``: the claim's terms."""
    findings = [c for c in cues if c.kind in ("null", "sig")]
    nulls = [c for c in findings if c.kind == "null" or c.negated]
    changes = [c for c in findings if c.kind == "sig" and not c.negated]
    if not (nulls and changes):
        return cues
    keys = {c: _finding_key(analysis, c, named) for c in findings}
    won = [n for n in nulls if all(_beats(keys[n], keys[c]) for c in changes)]
    won = won or [c for c in changes if _change_beats(analysis, c, anchor) and all(
        keys[c][1] > keys[n][1] and keys[c][0] >= keys[n][0] for n in nulls)]
    return won or cues


def _change_beats(analysis: Analysis, change: Cue, anchor: frozenset[str]) -> bool:
    """Whether a significant change may outweigh a finding of no difference that names
    fewer of the claim's outcome words ("MAP was similar before induction, but it was
    significantly lower in group A after incision"): only a change stated between the arms
    in words that say which way it went ("lower in", "less ... than"), against nothing the
    claim does not name ("greater than the pre-intervention phase", "compared with placebo"
    for a claim against another drug) and said of no arm it does not name ("lower in the
    group resited on indication"): a change without a direction word would pass a claim of
    either direction, and one against baseline or of another arm is another comparison
    than the claim's."""
    positions = set(_context_positions(analysis, change))
    if _finding_key(analysis, change, anchor)[0] != 1:
        return False
    directions = [d for d in analysis.of("dir") if d.start in positions and not d.negated]
    if not directions:
        return False
    if any(not c.reference & anchor for c in analysis.comparisons
           if c.start in positions or c.arm[0] in positions):
        return False
    return all(_said_of(analysis, d) <= anchor for d in directions)


def _said_of(analysis: Analysis, cue: Cue) -> frozenset[str]:
    """The words that name what a direction is said of after a preposition in its clause
    ("lower | in the HTEA group"), less generic words ("the group")."""
    at = analysis.tokens[cue.start]
    after = [t for t in analysis.tokens[cue.end:] if t.clause == at.clause and
             t.sentence == at.sentence]
    starts = [i for i, t in enumerate(after) if t.word in ARM_PREPOSITIONS]
    if not starts:
        return frozenset()
    return frozenset(t.stem for t in after[starts[0] + 1:starts[0] + 1 + ARM_WORDS]
                     if t.stem) - _GENERIC_STEMS - _FILLERS


def _beats(null: tuple[int, int], change: tuple[int, int]) -> bool:
    """Whether a finding of no difference outweighs a change (keys of :func:`_finding_key`)."""
    return (null[0] == 1 and change[0] == -1) or (null[1] > change[1] and null[0] >= change[0])


def _finding_key(analysis: Analysis, cue: Cue, anchor: frozenset[str]) -> tuple[int, int]:
    """How a finding compares the arms (between +1, within -1, else 0), and how many of the
    claim's terms (stems, or figures as written) its own words name."""
    context = _context(analysis, cue)
    words = {t.word for t in context}
    between = -1 if words & BASELINE_WORDS else 1 if words & BETWEEN_WORDS else \
        -1 if words & WITHIN_WORDS or _one_arm(" ".join(t.word for t in context)) else 0
    return between, len({t.stem or t.word for t in context} & anchor)


def _one_arm(words: str) -> bool:
    """Whether a finding's words say it of one arm: "in the X group" (:data:`_ONE_ARM`), or
    "the X group" as what the clause is about (:data:`_ARM_SUBJECT`)."""
    return bool(_ONE_ARM.search(words) or _ARM_SUBJECT.search(words))


def _context(analysis: Analysis, cue: Cue) -> list[Token]:
    """The words a finding is stated in: its clause; for a p value, the words back to the
    finding before it in its sentence."""
    return [analysis.tokens[i] for i in _context_positions(analysis, cue)]


def _context_positions(analysis: Analysis, cue: Cue) -> list[int]:
    """The token positions of :func:`_context`."""
    tokens = analysis.tokens
    at = tokens[cue.start]
    if cue.value != "p":
        return [i for i, t in enumerate(tokens) if t.clause == at.clause and
                t.sentence == at.sentence]
    start = max([c.end for c in analysis.cues if c.kind in ("null", "sig") and
                 c.end <= cue.start and tokens[c.start].sentence == at.sentence], default=0)
    return [i for i in range(start, cue.start) if tokens[i].sentence == at.sentence]


GENERIC_ARM_WORDS = frozenset(
    "group groups arm arms cohort cohorts both two three each either all between among "
    "intervention interventions control controls treatment treatments treated placebo sham "
    "active verum experimental study standard usual conventional routine condition conditions "
    "patient patients participant participants subject subjects those individuals people "
    "volunteers women men children infants trial trials regimen regimens therapy therapies "
    "allocated randomized randomised receiving received assigned comparator baseline "
    "students pupils schools cases respondents users volunteers mothers any other the "
    "respective comparison different various separate individual same within".split())
"""Words by which a passage refers to a trial's arms without naming them."""
_GENERIC_STEMS = frozenset(s for w in GENERIC_ARM_WORDS if (s := stem_of(w)))
ARM_PREPOSITIONS = frozenset("in with for among using receiving".split())
"""Words after which a sentence names the arm a ranking is said of ("more in group II")."""
ARM_WORDS = 6
"""Words after such a preposition that may name the arm."""
