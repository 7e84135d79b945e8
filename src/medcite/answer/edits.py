"""A sentence that is a near copy of its passage sentence is judged by what was changed.

1. The two word sequences are aligned (``difflib``); when most of the sentence's words
   sit in blocks copied from the passage sentence it is a near copy, else None (the
   sentence is a paraphrase, judged by the cue scopes of ``answer/meaning.py``).
2. Words added and removed are counted; words that only moved (a reordered clause) cancel
   out, and a dropped clause or bracket removes nothing that matters.
3. What remains is read by category: a negation word added or removed, a direction word
   replaced by its opposite, a different may / should / must, strength or grade, an
   association turned into a cause, another population or another drug in its place, and
   the two arms of a comparison swapped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from difflib import SequenceMatcher

from medcite.answer.cues import (
    ASSOCIATION_WORDS,
    CAUSE_WORDS,
    DIRECTIONS,
    MODAL_WORDS,
    NEGATION_WORDS,
    STRENGTH_WORDS,
    Analysis,
)
from medcite.answer.entities import POPULATIONS, Concept, drug_like

Reason = tuple[str, str]
Concepts = Callable[[str], Mapping[str, Concept]]

CERTAINTY = {"low": 1, "moderate": 2, "high": 3}
"""GRADE certainty (quality) of evidence."""
NEAR_COPY = 0.75
"""Share of the sentence's words that must be copied from the passage sentence."""
_PREFIXES = ("non", "un", "in", "im", "ir", "il", "dis")
_LEVEL = {"1": "may", "2": "should", "3": "must"}
_GROUP_OF = {w: frozenset(g for g, words in POPULATIONS.items() if w in words)
             for words in POPULATIONS.values() for w in words if " " not in w}


def _dropped(window: Analysis, i1: int, i2: int) -> bool:
    """A deletion that drops a bracket or a clause (two or more content words) — unless a
    negation in it governs the words kept after it ("there is insufficient evidence that |
    X prevents Y")."""
    tokens = window.tokens[i1:i2]
    after = window.tokens[i2] if i2 < len(window.tokens) else None
    if after is not None and any(t.word in NEGATION_WORDS and t.clause == after.clause
                                 for t in tokens):
        return False
    return all(t.bracket for t in tokens) or sum(
        1 for t in tokens if t.stem and t.word not in NEGATION_WORDS) >= 2


def edit_reasons(claim: Analysis, window: Analysis, concepts: Concepts | None = None,
                 swapped: bool = False) -> list[Reason] | None:
    """What changed in a near copy of ``window``; None when ``claim`` is not one.
    ``swapped``: the claim states the window's comparison with its arms the other way."""
    old = [t.word for t in window.tokens]
    new = [t.word for t in claim.tokens]
    if len(new) < 4:
        return None
    ops = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    if sum(j2 - j1 for tag, _, _, j1, j2 in ops if tag == "equal") < NEAR_COPY * len(new):
        return None
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    kept_removed: Counter[str] = Counter()
    spans: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        added.update(new[j1:j2])
        removed.update(old[i1:i2])
        if tag != "delete" or not _dropped(window, i1, i2):
            kept_removed.update(old[i1:i2])
        if tag == "replace":
            spans.append((" ".join(old[i1:i2]), " ".join(new[j1:j2])))
    plus, minus = added - removed, kept_removed - added
    reasons = (_negation(plus, minus) + _direction(plus, minus, swapped)
               + _strength(plus, minus, claim, window) + _population(plus, minus)
               + _drugs(spans, concepts) + _spliced(ops, window, concepts))
    if swapped and not any(w in DIRECTIONS for w in plus):
        reasons.append(("comparison_order", "the sentence swaps the arms of the passage's "
                                            "comparison"))
    return reasons


def _negation(plus: Counter[str], minus: Counter[str]) -> list[Reason]:
    gained = [w for w in plus.elements() if w in NEGATION_WORDS]
    lost = [w for w in minus.elements() if w in NEGATION_WORDS]
    if len(gained) > len(lost):
        return [("negation", f"the sentence adds \"{gained[0]}\" to the passage sentence")]
    if len(lost) > len(gained):
        return [("negation", f"the sentence drops \"{lost[0]}\" from the passage sentence")]
    for word in plus:
        for prefix in _PREFIXES:
            if len(word) >= 4 and (prefix + word in minus or (
                    word.startswith(prefix) and word[len(prefix):] in minus)):
                other = prefix + word if prefix + word in minus else word[len(prefix):]
                return [("negation", f"\"{word}\" where the passage says \"{other}\"")]
    return []


def _direction(plus: Counter[str], minus: Counter[str], swapped: bool) -> list[Reason]:
    mine = {DIRECTIONS[w]: w for w in plus if w in DIRECTIONS}
    theirs = {DIRECTIONS[w]: w for w in minus if w in DIRECTIONS}
    for (axis, value), word in mine.items():
        other = (axis, "-" if value == "+" else "+")
        if other in theirs and (axis, value) not in theirs:
            if swapped:
                return []  # "lower in B than A" for "higher in A than B"
            return [("direction", f"\"{word}\" where the passage says \"{theirs[other]}\"")]
    return []


def _strength(plus: Counter[str], minus: Counter[str], claim: Analysis,
              window: Analysis) -> list[Reason]:
    reasons: list[Reason] = []
    for table, label in ((MODAL_WORDS, "may / should / must"),
                         (STRENGTH_WORDS, "recommendation strength")):
        mine = {table[w] for w in plus if w in table}
        theirs = {table[w] for w in minus if w in table}
        if mine and theirs and not mine <= theirs:
            said = ", ".join(sorted(w for w in plus if w in table))
            was = ", ".join(sorted(w for w in minus if w in table))
            reasons.append(("strength", f"{label}: \"{said}\" where the passage says \"{was}\""))
    for kind in ("grade", "class"):
        mine = {c.value for c in claim.of(kind)}
        theirs = {c.value for c in window.of(kind)}
        if mine and theirs and mine != theirs:
            reasons.append(("strength", f"{kind} {', '.join(sorted(mine))} where the passage "
                                        f"says {', '.join(sorted(theirs))}"))
    causal = {c.value for c in claim.of("causal")}
    linked = {c.value for c in window.of("causal")}
    if (any(w in CAUSE_WORDS for w in plus) and any(w in ASSOCIATION_WORDS for w in minus)) or \
            ("cause" in causal and linked == {"association"}):
        reasons.append(("strength", "a cause where the passage reports an association"))
    mine_level = {CERTAINTY[w] for w in plus if w in CERTAINTY}
    their_level = {CERTAINTY[w] for w in minus if w in CERTAINTY}
    if mine_level and their_level and not mine_level & their_level and \
            CERTAINTY["moderate"] in mine_level | their_level:  # low / high: a direction
        reasons.append(("strength", "a different certainty of evidence than the passage's"))
    return reasons


def _population(plus: Counter[str], minus: Counter[str]) -> list[Reason]:
    mine = {w: _GROUP_OF[w] for w in plus if w in _GROUP_OF}
    theirs = frozenset().union(*(_GROUP_OF[w] for w in minus if w in _GROUP_OF))
    for word, groups in mine.items():
        if theirs and not groups <= theirs:
            return [("entity", f"population \"{word}\" where the passage says "
                               f"\"{', '.join(sorted(w for w in minus if w in _GROUP_OF))}\"")]
    return []


def _spliced(ops: Sequence[tuple[str, int, int, int, int]], window: Analysis,
             concepts: Concepts | None) -> list[Reason]:
    """A claim that joins the start of one passage sentence to the end of the next, leaving
    out the drug the second one is about ("A lowers blood pressure. B prevents X." read as
    "A prevents X")."""
    copied = [k for k, op in enumerate(ops) if op[0] == "equal"]
    for k, (tag, i1, i2, _, _) in enumerate(ops):
        if tag == "equal" or not copied or not copied[0] < k < copied[-1]:
            continue
        gone = window.tokens[i1:i2]
        if len({t.sentence for t in gone}) < 2:
            continue
        text = " ".join(t.word for t in gone)
        found = [p for p, c in (concepts(text) if concepts else {}).items() if c.kind == "drug"]
        found += [t.word for t in gone if drug_like(t.word)]
        if found:
            return [("entity", f"the sentence joins two passage sentences, leaving out "
                               f"\"{found[0]}\" that the second is about")]
    return []


def _drugs(spans: list[tuple[str, str]], concepts: Concepts | None) -> list[Reason]:
    """A drug put in place of another (a brand for its generic is the same drug)."""
    if concepts is None:
        return []
    for before, after in spans:
        mine = {c.name: p for p, c in concepts(after).items() if c.kind == "drug"}
        theirs = {c.name: p for p, c in concepts(before).items() if c.kind == "drug"}
        if mine and theirs and not set(mine) & set(theirs):
            return [("entity", f"drug \"{next(iter(mine.values()))}\" where the passage says "
                               f"\"{next(iter(theirs.values()))}\"")]
    return []
