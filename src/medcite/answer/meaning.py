"""Checks of meaning between a sentence and the passages it cites.

1. :func:`align` finds the passage sentence (or two adjacent sentences) that shares most of
   the sentence's terms: the claim is judged against what that window says.
2. :func:`term_support` is the share of the sentence's content terms found in the cited
   passages — counting derivational variants ("treat" / "treatment"), abbreviations, names
   of the same drug or condition, and cue words whose meaning the window carries in other
   words ("reduced" for "lower"); template words ("showed", "group") do not count.
3. Each check compares the cues (``answer/cues.py``) of the sentence with those of the
   window and returns ``(code, detail)`` reasons: ``negation``, ``direction``,
   ``comparison_order``, ``strength``, ``entity``. A cue is compared only with cues whose
   scopes share a content word, so a dropped clause or a reordered sentence is not a change.
4. :func:`assess` runs them all; ``answer/verify.py`` adds the number check and the verdict.
5. A *comparison claim* — "Compared with C, I <finding> O" or "I <finding> O compared with
   C" — is parsed and judged by ``answer/comparison.py``: its parse
   (:func:`~medcite.answer.comparison.contrast_of`), what it is judged on, its arms, and
   how a passage states a comparison's finding (the window transforms :func:`assess`
   applies to each window for such a claim). Only :func:`_left_by_elimination` stays here,
   since it re-runs :func:`assess` on the other two findings the claim could state.
6. ``answer/findings.py`` holds what both modules share: the passage sentences, the words
   that add no claim, and how a sentence states a finding (``_state``: no difference, a
   change, or neither; ``_settled`` where they disagree).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from medcite.answer.comparison import (
    EXCEPT,
    FINDINGS,
    Contrast,
    _blanket_finding,
    _judged_as_contrast,
    _names_outcome,
    _outcome_names,
    contrast_of,
    figures_reasons,
    finding_kind,
    read_for_claim,
    reports_on,
)
from medcite.answer.cues import Analysis, Cue, analyse, tokens_of
from medcite.answer.edits import edit_reasons
from medcite.answer.entities import Concept, Lexicon, drugs_named, entity_reasons, plain
from medcite.answer.findings import (
    _CUE_STEMS,
    _FILLERS,
    Alignment,
    Drugs,
    Reason,
    _governs,
    _sentences,
    _state,
)
from medcite.answer.shorthand import abbreviated_terms, initialisms
from medcite.text.abbreviations import find_definitions
from medcite.text.terms import root, stems

Judge = Callable[[str, str], "bool | None"]
"""A second opinion on (claim, passage sentence): True supported, False not, None unsure."""


@dataclass(frozen=True)
class Assessment:
    support: float
    reasons: tuple[Reason, ...]
    alignment: Alignment | None


_NEGATING_PREFIXES = ("non", "un", "in", "im", "ir", "il", "dis")
MAX_WINDOWS = 8
"""Windows a paraphrase is judged against: it passes if one of them says what it says."""
WINDOW_SLACK = 0.3
"""How much less of the claim a further window may cover than the best one."""
FINDING_SLACK = 0.5
"""The same for a claim that reports a finding: the sentence reporting it often names the
arms in fewer words than the methods sentence that describes them."""


# -- alignment --------------------------------------------------------------------------


def _covered(terms: frozenset[str], have: frozenset[str], roots: frozenset[str]) -> int:
    return sum(1 for t in terms if t in have or root(t) in roots)


def align(claim: str, passages: Sequence[str]) -> Alignment | None:
    """The window of one or two adjacent passage sentences sharing most of the claim's
    terms (ties: a single sentence, then the tighter window, then the first passage)."""
    found = candidates(claim, passages, 1)
    return found[0] if found else None


def candidates(claim: str, passages: Sequence[str], n: int = MAX_WINDOWS) -> list[Alignment]:
    """The ``n`` best windows, best first (see :func:`align`)."""
    terms = frozenset(stems(claim)) - _FILLERS
    terms = terms - _CUE_STEMS or terms
    if not terms:
        return []
    scored: list[tuple[tuple[float, int, float], Alignment]] = []
    for index, passage in enumerate(passages):
        sentences = _sentences(passage)
        for i, sentence in enumerate(sentences):
            windows = [(sentence.text, sentence.terms, sentence.roots, 1)]
            if i + 1 < len(sentences):
                nxt = sentences[i + 1]
                windows.append((f"{sentence.text} {nxt.text}", sentence.terms | nxt.terms,
                                sentence.roots | nxt.roots, 2))
            for text, have, roots, size in windows:
                covered = _covered(terms, have, roots)
                key = (covered / len(terms), -size, covered / max(len(have), 1))
                scored.append((key, Alignment(index, text, round(covered / len(terms), 3))))
    scored.sort(key=lambda s: s[0], reverse=True)
    return [a for _, a in scored[:n]]


# -- term support -----------------------------------------------------------------------

def _abbreviations(passages: Sequence[str]) -> dict[str, str]:
    from medcite.retrieve.expand import CLINICAL_ABBREVIATIONS

    found = {short.lower(): long.lower() for short, long in CLINICAL_ABBREVIATIONS.items()}
    for passage in passages:
        found.update({s.lower(): lf.lower() for s, lf in find_definitions(passage)})
    return found


def term_support(claim: Analysis, passages: Sequence[str], window: Analysis | None,
                 concepts: Mapping[str, Concept] | None = None,
                 optional: frozenset[str] = frozenset()) -> float:
    """Share of the claim's content terms found in ``passages`` (see the module doc);
    ``optional`` terms count only where they are found (the arms of a comparison claim)."""
    terms = [t for t in dict.fromkeys(stems(claim.text)) if t not in _FILLERS]
    if not terms:
        return 0.0
    have: set[str] = set()
    for passage in passages:
        for sentence in _sentences(passage):
            have |= sentence.terms
    roots = {root(t) for t in have}
    found = {t for t in terms if t in have or root(t) in roots}
    if window is not None:
        found |= _cue_equivalents(claim, window)
    abbreviations = _abbreviations([*passages, claim.text])
    for short, long in abbreviations.items():
        long_terms = set(stems(long))
        if short in found or short not in terms:
            if long_terms and long_terms <= set(terms) and short in have:
                found |= long_terms  # "chronic kidney disease" for a passage's "CKD"
        elif long_terms and long_terms <= have:
            found.add(short)  # "CKD" for a passage's "chronic kidney disease"
    text = plain(" ".join(passages))
    for phrase, concept in (concepts or {}).items():
        if any(f" {name} " in text for name in concept.names):
            found |= set(stems(phrase))  # "Advil" for a passage's "ibuprofen"
    found |= initialisms(claim.text, " ".join(passages))[0]  # "HADS" for its words
    found |= abbreviated_terms(claim.text, " ".join(passages))  # "... Scale (UPDRS)"
    terms = [t for t in terms if t in found or t not in optional] or terms
    return sum(1 for t in terms if t in found) / len(terms)


def _cue_equivalents(claim: Analysis, window: Analysis) -> set[str]:
    """Stems of claim cue words whose reading the window carries in other words."""
    found: set[str] = set()
    kinds = {c.kind for c in window.cues}
    dirs = {(c.axis, c.value) for c in window.of("dir")}
    levels = {c.value for c in window.of("modal")}
    for cue in claim.cues:
        same = ((cue.kind == "dir" and bool(dirs)) or
                (cue.kind == "modal" and cue.value in levels) or
                (cue.kind in ("null", "neg", "causal", "strength") and cue.kind in kinds))
        if same:
            found |= {t.stem for t in claim.tokens[cue.start:cue.end] if t.stem}
    return found


# -- checks of meaning ------------------------------------------------------------------

def _anchored(cue: Cue, others: list[Cue]) -> list[Cue]:
    return [o for o in others if o.scope & cue.scope]


def _outside(window: Analysis, cue: Cue, stems_: frozenset[str]) -> bool:
    """Whether the window also states some of ``stems_`` outside the cue's clause (a
    parallel positive clause the claim may follow instead)."""
    clause = window.tokens[cue.start].clause
    return any(t.stem in stems_ and t.clause != clause for t in window.tokens)


def negation_reasons(claim: Analysis, window: Analysis, drugs: Drugs | None = None
                     ) -> list[Reason]:
    """Negation added to, or removed from, what the window says — and a negation said of
    other drugs than the claim's ("A is contraindicated" where the passage says it of B)."""
    reasons: list[Reason] = []
    mine, theirs = claim.of("neg"), window.of("neg")
    named = drugs or (lambda text: drugs_named(text, {}))
    claimed = named(claim.text)
    theirs = [c for c in theirs if not (named(window.clause_of(c)) and claimed and
                                        not named(window.clause_of(c)) & claimed)]
    for cue in mine:
        of_mine = named(claim.clause_of(cue))
        of_theirs = [named(window.clause_of(c)) for c in _anchored(cue, window.of("neg"))]
        if of_mine and of_theirs and all(s and not s & of_mine for s in of_theirs):
            reasons.append(("negation", f"the passage says \"{claim.phrase(cue)}\" of "
                                        f"{', '.join(sorted(set().union(*of_theirs)))}, not of "
                                        f"{', '.join(sorted(of_mine))}"))
    # "did not increase" and "no significant difference" both report no effect
    if window.of("null"):
        mine = [c for c in mine if not _governs(claim, c)]
    if claim.of("null"):
        theirs = [c for c in theirs if not _governs(window, c)]
    for cue in mine:
        if cue.scope and not _anchored(cue, window.of("neg")) and cue.scope & window.stems:
            reasons.append(("negation", f"the sentence adds \"{claim.phrase(cue)}\" to what "
                                        "the passage states"))
    for cue in theirs:
        said = cue.scope & claim.stems
        if said and not _anchored(cue, mine) and not _outside(window, cue, said):
            reasons.append(("negation", f"the passage says \"{window.phrase(cue)}\" where the "
                                        "sentence does not"))
    reasons += _antonyms(claim, window)
    return reasons[:2]


def _antonyms(claim: Analysis, window: Analysis) -> list[Reason]:
    """"effective" for "ineffective", "safe" for "unsafe" and the reverse."""
    mine = {t.word for t in claim.tokens if t.stem}
    theirs = {t.word for t in window.tokens if t.stem}
    for word in mine - theirs:
        if len(word) < 4:
            continue
        for prefix in _NEGATING_PREFIXES:
            if prefix + word in theirs:
                return [("negation", f"\"{word}\" where the passage says \"{prefix + word}\"")]
            if word.startswith(prefix) and word[len(prefix):] in theirs and \
                    len(word) - len(prefix) >= 4:
                return [("negation", f"\"{word}\" where the passage says "
                                     f"\"{word[len(prefix):]}\"")]
    return []


def orientation(claim: Analysis, window: Analysis) -> int:
    """1 when the claim compares its arms in the window's order, -1 when it swaps them
    ("A than B" against "B than A"), 0 when it cannot be told."""
    best = 0
    for mine in claim.comparisons:
        votes = []
        for theirs in window.comparisons:
            arms = mine.reference | theirs.reference  # outcome words say nothing of order
            if mine.kind == "arms":  # a comparison claim's parse: its subject is an arm
                arms |= mine.subject
            same = len(mine.reference & theirs.reference) + len(
                mine.subject & theirs.subject & arms)
            swap = len(mine.reference & theirs.subject) + len(mine.subject & theirs.reference)
            votes.append((same + swap, same, swap))
        if votes:  # the window's comparison that shares most with this one
            _, same, swap = max(votes)
            best += (same > swap) - (swap > same)
    return (best > 0) - (best < 0)


def direction_reasons(claim: Analysis, window: Analysis) -> list[Reason]:
    """Opposite directions (increased / decreased, better / worse), allowing for a
    comparison stated the other way round; a swapped comparison is ``comparison_order``.
    A cue is compared with the window's cues on its axis, under the same negation, that
    share most of its scope."""
    order = orientation(claim, window)
    theirs = window.of("dir")
    for cue in claim.of("dir"):
        pool = [c for c in theirs if c.negated == cue.negated]
        overlap = max((len(c.scope & cue.scope) for c in pool), default=0)
        if not overlap or not any(len(c.scope & cue.scope) == overlap and c.axis == cue.axis
                                  for c in pool):
            continue  # about nothing the window says, or closest to a cue on the other axis
        matched = [c for c in pool if len(c.scope & cue.scope) == overlap and c.axis == cue.axis]
        values = {c.value for c in matched}
        said = window.phrase(matched[0])
        if order >= 0 and cue.value not in values:
            return [("direction", f"the sentence says \"{claim.phrase(cue)}\" where the passage "
                                  f"says \"{said}\"")]
        if order < 0 and values == {cue.value}:
            return [("comparison_order", f"the sentence reverses the comparison: "
                                         f"\"{claim.phrase(cue)}\" for the other arm")]
    if order < 0 and not claim.of("dir") and any(
            c.kind == "preference" for c in claim.comparisons):
        return [("comparison_order", "the sentence prefers the option the passage does not")]
    return []


def _anchor(claim: Analysis) -> frozenset[str]:
    return claim.stems - {t.stem for c in claim.cues
                          for t in claim.tokens[c.start:c.end] if t.stem}


def carries_finding(claim: Analysis, window: Analysis,
                    outcome: frozenset[str] = frozenset()) -> bool:
    """Whether the window reports the claim's finding about the claim's terms — no
    difference, or a difference in the claim's direction; True when the claim reports no
    finding. ``outcome``: see :func:`_state`."""
    mine = _state(claim, claim.stems, weak=True)
    if not mine:
        return True
    if _state(window, _anchor(claim), weak=True, outcome=outcome) != mine:
        return False
    claimed = [c for c in claim.of("dir") if not c.negated]
    if mine == "null" or not claimed:
        return True
    order = orientation(claim, window)
    said = [w for w in window.of("dir") if not w.negated and any(c.scope & w.scope
                                                                 for c in claimed)]
    if not said:
        return True  # a significant difference whose direction only numbers give
    return any(c.scope & w.scope and (c.axis != w.axis or (c.value == w.value) == (order >= 0))
               for c in claimed for w in said)


def finding_reasons(claim: Analysis, window: Analysis,
                    outcome: frozenset[str] = frozenset()) -> list[Reason]:
    """"No significant difference" against a significant change, either way round.
    ``outcome``: see :func:`_state`."""
    anchor = _anchor(claim)
    mine = _state(claim, claim.stems, weak=True)
    if not mine:
        return []
    theirs = _state(window, anchor, weak=False, outcome=outcome)
    if mine == "null" and theirs == "change":
        return [("direction", "the sentence reports no significant difference; the passage "
                              "reports one")]
    if mine == "change" and theirs == "null":
        return [("direction", "the sentence reports a difference; the passage reports no "
                              "significant difference")]
    return []


_LEVEL = {"1": "may", "2": "should", "3": "must"}


def strength_reasons(claim: Analysis, window: Analysis, passages: Sequence[str]) -> list[Reason]:
    """Recommendation strength, grade and class letters, may / should / must, and an
    association stated as a cause."""
    reasons: list[Reason] = []
    for kind in ("strength", "grade", "class"):
        mine = {c.value for c in claim.of(kind)}
        theirs = {c.value for c in window.of(kind)} or (
            {c.value for p in passages for c in analyse(p).of(kind)} if mine else set())
        if mine and theirs and not mine <= theirs:
            label = "recommendation" if kind == "strength" else kind
            reasons.append(("strength", f"{label} {', '.join(sorted(mine - theirs))} where the "
                                        f"passage says {', '.join(sorted(theirs))}"))
    modals = window.of("modal")
    for cue in claim.of("modal"):
        levels = {c.value for c in _anchored(cue, modals)}
        if levels and cue.value not in levels:
            said = ", ".join(_LEVEL[v] for v in sorted(levels))
            reasons.append(("strength", f"\"{claim.phrase(cue)}\" ({_LEVEL[cue.value]}) where "
                                        f"the passage says {said}"))
            break
    causes = [c for c in claim.of("causal") if c.value == "cause"]
    if causes:
        links = {c.value for c in _anchored(causes[0], window.of("causal"))}
        if links == {"association"}:
            reasons.append(("strength", f"\"{claim.phrase(causes[0])}\" where the passage "
                                        "reports an association"))
    return reasons


# -- the whole assessment ---------------------------------------------------------------

def phrases(text: str, longest: int = 4) -> list[str]:
    """The word n-grams of ``text`` (longest first), as a lexicon is asked about them."""
    words = [t.word for t in tokens_of(text) if any(c.isalpha() for c in t.word)]
    return list(dict.fromkeys(" ".join(words[i:i + n]) for n in range(longest, 0, -1)
                              for i in range(len(words) - n + 1)))


def concepts_in(text: str, lexicon: Lexicon | None) -> dict[str, Concept]:
    """Vocabulary entries named in ``text``: the longest phrase wins where names overlap."""
    if lexicon is None:
        return {}
    found: dict[str, Concept] = {}
    for phrase, concept in sorted(lexicon(phrases(text)).items(), key=lambda m: -len(m[0])):
        if not any(f" {phrase} " in f" {p} " for p in found):
            found[phrase] = concept
    return found


def assess(claim: str, passages: Sequence[str], lexicon: Lexicon | None = None,
           judge: Judge | None = None, *, eliminate: bool = True) -> Assessment:
    """Term support and every failed check of meaning of ``claim`` against ``passages``.

    A near copy of its best window is judged by what was changed (``answer/edits.py``);
    a paraphrase by the cues of each of its best windows, passing if one of them agrees.
    ``judge`` (optional, a model) settles what the rules cannot: a paraphrase they accept,
    or one whose windows are only silent on its finding; never a contradiction they found.
    ``eliminate``: a comparison claim the windows are only silent on may pass by
    elimination (:func:`_left_by_elimination`).
    """
    windows = candidates(claim, passages)
    if not windows:
        return Assessment(0.0, (), None)
    best = windows[0]
    said = plain(claim)
    if said.strip() and any(said == plain(s.text) for p in passages for s in _sentences(p)):
        return Assessment(1.0, (), best)  # a passage sentence verbatim: nothing changed
    mine = analyse(claim)
    concepts = concepts_in(claim, lexicon)
    found = entity_reasons(mine, passages, concepts)
    window = analyse(best.sentence)
    lookup = (lambda text: concepts_in(text, lexicon)) if lexicon is not None else None

    def drugs(text: str) -> frozenset[str]:
        return drugs_named(text, concepts_in(text, lexicon))

    optional: frozenset[str] = frozenset()
    contrast = contrast_of(claim)
    if contrast is not None:
        mine, found, optional = _judged_as_contrast(claim, contrast, mine, found, passages,
                                                    window, drugs)
    support = term_support(mine, passages, window, concepts, optional)

    edited = edit_reasons(mine, window, lookup, orientation(mine, window) < 0 and _moved_arms(
        mine, window))
    if edited is not None:
        return Assessment(round(support, 3), tuple(dict.fromkeys(edited + found)), best)
    judged: list[tuple[Alignment, list[Reason]]] = []
    slack = FINDING_SLACK if _state(mine, mine.stems, weak=True) else WINDOW_SLACK
    named = _outcome_names(contrast) if contrast is not None else frozenset()
    for alignment in windows:
        if alignment.coverage < best.coverage - slack:
            break
        window = analyse(alignment.sentence)
        if contrast is not None:
            window = read_for_claim(window, contrast)
        reasons = (negation_reasons(mine, window, drugs) + finding_reasons(mine, window, named)
                   + direction_reasons(mine, window) + strength_reasons(mine, window, passages))
        if not reasons and not (carries_finding(mine, window, named) and (
                contrast is None or reports_on(window, contrast))):
            reasons = [("direction", "the passage sentence does not report this finding")]
        if not reasons and contrast is not None:
            reasons = figures_reasons(mine, window, contrast)
        judged.append((alignment, reasons))
        if not reasons:
            break
    alignment, reasons = min(judged, key=lambda j: (_silent(j[1]), bool(j[1])))
    if contrast is not None and _silent(reasons):
        blanket = _blanket_finding(mine, contrast, passages)
        if blanket is not None:
            alignment, reasons = blanket, []
        elif eliminate:
            left = _left_by_elimination(claim, contrast, passages, lexicon)
            if left is not None:
                alignment, reasons = left, []
    if judge is not None and (not reasons or _silent(reasons)):
        opinion = judge(claim, alignment.sentence)
        if opinion is True:
            reasons = []
        elif opinion is False:
            reasons = [("judge", "the model judge finds the passage sentence does not support "
                                 "the sentence")]
    return Assessment(round(support, 3), tuple(dict.fromkeys(reasons + found)), alignment)


CONTRADICTIONS = frozenset(("direction", "negation", "comparison_order", "strength"))
"""Reason codes by which a passage contradicts a sentence's meaning."""


def _left_by_elimination(claim: str, contrast: Contrast, passages: Sequence[str],
                         lexicon: Lexicon | None) -> Alignment | None:
    """The passage sentence that contradicts both other findings a comparison claim could
    state, where the passages are silent on the claim's own (no sentence reports it in
    words the rules read) but contradict both others: of "increased", "decreased" and "no
    significant difference" exactly one is true, so a passage ruling out two states the
    third ("significantly lower in group A" rules out "no difference" and "increased",
    whatever way the sentence words its outcome). Only where the passages name the outcome
    and no ruling-out sentence excepts something ("… for any outcome except …"); only the
    finding is settled this way: the claim's drugs, populations and numbers are still
    checked against the passages."""
    kind = finding_kind(contrast.finding)
    if kind is None or not _names_outcome(contrast, passages):
        return None
    start, end = contrast.verb
    found = []
    for other, words in FINDINGS.items():
        if other == kind:
            continue
        rival = assess(f"{claim[:start]}{words}{claim[end:]}", passages, lexicon,
                       eliminate=False)
        if not any(code in CONTRADICTIONS and not _silent([(code, detail)])
                   for code, detail in rival.reasons) or rival.alignment is None or \
                EXCEPT.search(rival.alignment.sentence):
            return None
        found.append(rival.alignment)
    return found[0]


def _moved_arms(claim: Analysis, window: Analysis) -> bool:
    """Whether a comparison's arms moved between the window and its near copy (a dropped
    bracket or a reordered clause moves none)."""
    arms = {t for c in (*claim.comparisons, *window.comparisons) for t in c.reference}
    mine = [t.stem for t in claim.tokens if t.stem in arms]
    theirs = [t.stem for t in window.tokens if t.stem in arms]
    return [t for t in mine if t in theirs] != [t for t in theirs if t in mine]


def _silent(reasons: list[Reason]) -> bool:
    """Reasons that say only that a window is silent on the finding: the window to report is
    one that contradicts the claim, if any does."""
    return bool(reasons) and all(d.startswith("the passage sentence does not") for _, d in reasons)
