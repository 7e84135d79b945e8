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
   C", where the finding is a significant change or "no significant difference"
   (:func:`contrast_of`) — asserts the outcome and the finding between two arms, and is
   judged on that. Its cues are those of the finding only (a cue word in an arm's name or
   the outcome, "low-dose", "weight loss", names it; in the passage a direction word of the
   outcome's name is no finding either). The passage sentence must have most of the
   outcome's terms (abbreviations the claim defines count) and a finding about them
   (:func:`reports_on`), in agreement, including one stated the other way round. The arm
   names may be missing where the passages refer to the arms generically ("the treatment
   group", "both arms", a p value): their terms count only where found, and the numbers
   in the arms' names (a dose in "10 mg atorvastatin") need not be traced
   (:func:`without_arms`; numbers in the outcome still are). An arm the passages
   contradict is still rejected (:func:`arm_reasons`): they name drugs and none of the
   arms', or the aligned sentence names an arm ("the yoga group") neither arm is (not by a
   number, its initials or a shortening: "group II", "the TC group", "the Dex group"; any
   non-generic word of the label before "group" may name it: "the LPS-vaccine group").
   Terms in brackets in the outcome (a gloss, an instrument) count only where found, and
   an absence of the outcome in every arm refers to the arms (:func:`_reports_between_arms`).
6. How a passage states a comparison's finding, read for a comparison claim: the template
   words ("significantly decreased", "compared with") and how the outcome is measured
   ("number of patients developing ...") count for support only where found; a finding
   stated generically in the next sentence ("These results indicate no significant
   differences among the groups") or a p value after a run of figures is about what they
   follow; a negation of the outcome ("no infections in either group") is no difference,
   of an arm ("none in group NC") a count; where a change and no difference are equally
   about the outcome, no difference stated between the arms outweighs a change within them
   (:func:`_settled`); initialisms ("BP") and abbreviations the claim defines ("(UPDRS)")
   name the outcome; and where no direction word decides, the figures for the arms do
   (:func:`figures_reasons`, ``figures.py``). A ranking said of the comparator alone ("more
   in group II") is the intervention's the other way (:func:`_ranked_by_arm`), and the last
   bare figure of a table row is its p value where it reports no difference
   (:func:`_table_p_values`).
7. More of how a passage states a comparison's finding: a finding of no difference said of
   every outcome ("for any of the secondary outcome measures") is the finding on an outcome
   the passages name and report no change in, for a claim of no difference only
   (:func:`_blanket_finding`); a change against a third arm "but not" the claim's arm is no
   difference against it (:func:`_third_arm_out`); "low dose" names an arm, not a decrease
   (:func:`_doses_out`); an outcome "HbA1c (glycosylated haemoglobin)" is named by its
   abbreviation alone (:func:`_outcome_parts`); and a figure a claim's abbreviation carries
   ("in 1 second (FEV1)") need not be traced where the passages use the abbreviation
   (:func:`without_defined_figures`).
8. Time and sameness: a significance or no difference stated at another time point than
   the one the claim's outcome names ("significantly lower at 2 months" for a claim about
   6 months; "the difference was not maintained at 6 months" is its finding) is no finding
   on it (:func:`_other_times_out`), and one figure said of every arm ("7.5 ± 1.5 days in
   both groups") is no difference (:func:`_same_in_every_arm`).
9. Mixed sentences: where a change and a finding of no difference are equally about the
   claim's terms, the one whose own clause names more of the claim's outcome decides
   (:func:`_settled`) — a change only where it is stated between the arms, with its
   direction and against nothing the claim does not name (:func:`_change_beats`); and the
   words of a statistical test ("log-rank test p = 0.002") do not stop a finding stated in
   the next sentence from being about the first (:data:`TEST_WORDS`).
10. Changes within the arms: a change said of every arm or over time ("significant in each
   group", "decreased significantly within groups", "during the course of training") is no
   finding between them (:func:`_every_arm_changes_out`); no difference between the arms
   outweighs a change one arm shows ("the yoga arm showed a drop ..., but the comparison
   was not significant", :func:`_settled`); and no difference between two alternatives of
   one side ("NPC or MIC" against usual care: "MIC and NPC did not differ") is no finding on
   the claim (:func:`_within_one_side_out`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from medcite.answer.cues import (
    COMPARATIVES,
    DIRECTIONS,
    MODAL_WORDS,
    NEGATION_WORDS,
    STRENGTH_WORDS,
    Analysis,
    Comparison,
    Cue,
    Token,
    analyse,
    stem_of,
    tokens_of,
)
from medcite.answer.edits import edit_reasons
from medcite.answer.entities import (
    IRREGULAR_FORMS,
    POPULATIONS,
    Concept,
    Lexicon,
    drugs_named,
    entity_reasons,
    plain,
    population_groups,
)
from medcite.answer.figures import figures_direction, which_arm
from medcite.answer.numbers import Fact, facts
from medcite.answer.shorthand import MAX_INITIALS, abbreviated_terms, initialisms, words_of
from medcite.text.abbreviations import find_definitions
from medcite.text.sentences import sentence_spans
from medcite.text.terms import root, stems

Reason = tuple[str, str]


Judge = Callable[[str, str], "bool | None"]
"""A second opinion on (claim, passage sentence): True supported, False not, None unsure."""


@dataclass(frozen=True)
class Alignment:
    passage_index: int
    sentence: str
    """The passage sentence (or two adjacent sentences) the claim was aligned to."""
    coverage: float


@dataclass(frozen=True)
class Assessment:
    support: float
    reasons: tuple[Reason, ...]
    alignment: Alignment | None


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
_NEGATING_PREFIXES = ("non", "un", "in", "im", "ir", "il", "dis")
MAX_WINDOWS = 8
"""Windows a paraphrase is judged against: it passes if one of them says what it says."""
WINDOW_SLACK = 0.3
"""How much less of the claim a further window may cover than the best one."""
FINDING_SLACK = 0.5
"""The same for a claim that reports a finding: the sentence reporting it often names the
arms in fewer words than the methods sentence that describes them."""


# -- alignment --------------------------------------------------------------------------

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


Drugs = Callable[[str], frozenset[str]]
"""The drugs a text names (``entities.drugs_named`` with a lexicon)."""


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


GOVERNED = 8
"""Tokens after a negation in which the direction or significance it negates starts."""


def _governs(analysis: Analysis, negation: Cue) -> bool:
    """Whether a negation governs a direction ("did not reduce") or a significance ("did
    not show statistically significant differences"): it is part of a finding of no
    difference, judged as one."""
    return any(c.negated and negation.end <= c.start <= negation.end + GOVERNED
               for c in analysis.of("dir", "sig"))


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


TIME_UNITS = frozenset("minute minutes min mins hour hours h hr hrs day days d week weeks wk "
                       "wks month months mo mos year years yr yrs".split())
"""Units a time point of follow-up is stated in ("at 6 months", "week 38")."""
TIME_PREPOSITIONS = frozenset("at after by to towards until till through throughout in "
                              "within during over".split())
"""Words that make a figure and a time unit a time point ("at 6 months", "by week 12"),
not part of a measure's name ("24-h blood pressure")."""


def _time_points(words: Sequence[str]) -> frozenset[tuple[str, str]]:
    """The time points ``words`` name: a time preposition (and "the"), then a figure and a
    time unit either way round ("at 6 months", "at week 38", "at the 2-month follow-up"),
    as (figure, unit less its plural)."""
    found = set()
    for i, word in enumerate(words[1:-1], start=1):
        before, after = words[i - 1], words[i + 1]
        if before == "the" and i > 1:  # "at the 2-month follow-up"
            before = words[i - 2]
        if before not in TIME_PREPOSITIONS:
            continue
        if _figure(word) is not None and after in TIME_UNITS:
            found.add((word, _one_unit(after)))
        elif word in TIME_UNITS and _figure(after) is not None:
            found.add((after, _one_unit(word)))
    return frozenset(found)


def _one_unit(unit: str) -> str:
    """A time unit without its plural "s" ("weeks", "week")."""
    return unit[:-1] if len(unit) > 2 and unit.endswith("s") else unit


def _other_times_out(window: Analysis, contrast: Contrast) -> Analysis:
    """The window less the findings (significance, no difference) stated at another time
    point than the one the claim's outcome names ("significantly lower at 2 months" for a
    claim about 6 months, where the sentence goes on "the effect was not maintained at 6
    months"): what held at one time says nothing of another. A finding whose own words name
    no time point is kept, and so is every finding where the claim names none. Direction
    words are kept: "more within 12 and 24 hours" says which way both went."""
    mine = _time_points([t.word for t in tokens_of(contrast.outcome)])
    if not mine:
        return window
    cues = []
    for cue in window.cues:
        if cue.kind in ("null", "sig"):
            said = _time_points([window.tokens[i].word for i in _context_positions(window, cue)])
            if said and not said & mine:
                continue
        cues.append(cue)
    return Analysis(window.text, window.tokens, tuple(cues), window.comparisons)


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
            figures = _same_in_every_arm(_table_p_values(_doses_out(
                _third_arm_out(_within_one_side_out(_every_arm_changes_out(window, contrast),
                                                    contrast), contrast), contrast)))
            window = _other_times_out(_generic_findings_carried(_absences_as_findings(
                _ranked_by_arm(_outcome_words_out(figures, contrast), contrast), contrast),
                contrast), contrast)
            window = _findingless_negations_out(_pronoun_findings_carried(window))
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


FINDINGS = {"up": "significantly increased", "down": "significantly decreased",
            "null": "made no significant difference to"}
"""The three findings a comparison claim can state of its outcome: one of them is true."""
_UP_FINDING = re.compile(r"\b(?:increased?|raised?|elevated|prolonged|lengthened|enhanced|"
                         r"higher|greater|more)\b", re.I)
_DOWN_FINDING = re.compile(r"\b(?:decreased?|reduced?|lowered|lower|shortened|diminished|"
                           r"less|fewer)\b", re.I)
_NULL_FINDING = re.compile(r"\bno\b|\bnot\b", re.I)
CONTRADICTIONS = frozenset(("direction", "negation", "comparison_order", "strength"))
"""Reason codes by which a passage contradicts a sentence's meaning."""


def finding_kind(finding: str) -> str | None:
    """Which of :data:`FINDINGS` a comparison claim's finding words state; None for one
    whose direction depends on the outcome ("improved", "worsened")."""
    if _NULL_FINDING.search(finding):
        return "null"
    up, down = bool(_UP_FINDING.search(finding)), bool(_DOWN_FINDING.search(finding))
    return "up" if up and not down else "down" if down and not up else None


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


def _names_outcome(contrast: Contrast, passages: Sequence[str]) -> bool:
    """Whether the passages name most of a comparison claim's outcome terms."""
    outcome = _outcome_stems(contrast)
    have = {t for p in passages for s in _sentences(p) for t in s.terms}
    roots = {root(t) for t in have}
    return bool(outcome) and len({t for t in outcome if t in have or root(t) in roots}) >= \
        OUTCOME_SHARE * len(outcome)


def figures_reasons(claim: Analysis, window: Analysis, contrast: Contrast) -> list[Reason]:
    """A comparison claim's change against the passage's figures for the arms, where no
    direction word of the passage decides it ("12.4% in the cefixime group and 3.4% in the
    gatifloxacin group (p = 0.02)" is a decrease with gatifloxacin): see ``figures.py``."""
    claimed = [c for c in claim.of("dir") if c.axis == "mag" and not c.negated]
    if len(claimed) != 1 or any(w.scope & claimed[0].scope for w in window.of("dir")):
        return []
    went = figures_direction(window.text, contrast.intervention, contrast.comparator)
    if went and (went > 0) != (claimed[0].value == "+"):
        return [("direction", f"the sentence says \"{claim.phrase(claimed[0])}\" where the "
                              "passage's figures for the arms go the other way")]
    return []


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


# -- comparison claims ------------------------------------------------------------------

_FINDING_VERB = (r"(?:statistically )?significantly (?:\w+ )?(?:increased|decreased|reduced|"
                 r"improved|lowered|raised|elevated|worsened|shortened|prolonged|lengthened|"
                 r"enhanced|diminished|increase|decrease|reduce|improve|lower|raise)|"
                 r"(?:made|had|produced|showed|resulted in) no (?:statistically )?significant "
                 r"(?:difference|differences|change|changes|effect|effects) (?:to|in|on)|"
                 r"did not (?:statistically )?significantly (?:change|affect|alter|differ in)")
_PLAIN_VERB = (r"increased|decreased|reduced|improved|lowered|raised|elevated|worsened|"
               r"shortened|prolonged|enhanced|diminished")
_LEADING = r"^\s*(?:when |as )?compared (?:with|to) (?P<arms>.+?) (?P<verb>{verb}) " \
           r"(?P<outcome>.+?)[\s.]*$"
_TRAILING = r"^\s*(?P<intervention>.+?) (?P<verb>{verb}) (?P<outcome>.+?),? (?:when |as )?" \
            r"compared (?:with|to) (?P<comparator>.+?)[\s.]*$"
_CONTRAST_FORMS = [re.compile(form.format(verb=verb), re.I | re.S)
                   for verb in (_FINDING_VERB, _PLAIN_VERB) for form in (_LEADING, _TRAILING)]
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
_ARM_NOUNS = frozenset("group groups arm arms cohort".split())


@dataclass(frozen=True)
class Contrast:
    """A comparison claim, "Compared with C, I <finding> O" (or "I <finding> O compared
    with C"): its arms, the finding and the outcome, with the arms' character spans."""

    comparator: str
    intervention: str
    finding: str
    outcome: str
    arms: tuple[tuple[int, int], ...]
    verb: tuple[int, int]


@lru_cache(maxsize=4096)
def contrast_of(claim: str) -> Contrast | None:
    """The parts of a comparison claim; None when ``claim`` is not one."""
    for form in _CONTRAST_FORMS:
        m = form.match(claim)
        if m is None:
            continue
        if "arms" in m.groupdict():
            cut = _top_level_comma(m["arms"])
            if cut is None:
                continue
            start = m.start("arms")
            comparator = (start, start + cut)
            intervention = (start + cut + 1, m.end("arms"))
        else:
            comparator, intervention = m.span("comparator"), m.span("intervention")
        c, i = (claim[s:e].strip() for s, e in (comparator, intervention))
        if not (stems(c) and stems(i) and stems(m["outcome"])):
            continue
        return Contrast(c, i, m["verb"], m["outcome"], (comparator, intervention),
                        m.span("verb"))
    return None


def _top_level_comma(text: str) -> int | None:
    """Where "Compared with C, I ..." divides its arms: the last comma outside brackets
    that does not go on a list ("C1, C2, I": the intervention is the last item; ", and",
    ", or" continue one) and leaves a named intervention after it."""
    depth, found = 0, None
    for i, ch in enumerate(text):
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        if ch == "," and depth <= 0 and not text[i + 1:i + 2].isdigit() and (
                found is None or _names_an_arm(text[i + 1:])):
            found = i
    return found


_LIST_GOES_ON = re.compile(r"\s*(?:and|or|and/or|as well as|given|administered|taken|"
                           r"delivered|applied|received|followed|plus|with|in|at|for|of|on|"
                           r"over|during|every|each|per|once|twice|daily|weekly)\b", re.I)
_SCHEDULE_WORDS = frozenset("mg kg g ml min mins wk wks week weeks day days daily hour hours "
                            "h month months dose doses once twice times iu mcg ug".split())


def _names_an_arm(rest: str) -> bool:
    """Whether the words after a comma begin an arm of their own, not the schedule or
    details of the one before ("given once daily for 7 days", "225 min/wk", "and B")."""
    words = re.findall(r"[^\W\d_]{3,}", rest.lower())
    return not _LIST_GOES_ON.match(rest) and any(w not in _SCHEDULE_WORDS for w in words)


MIN_ARM_WORD = 4


def _unit(fact: Fact) -> str:
    return fact.value.split(" ")[-1]

"""Words of an arm's name this long (a drug, a procedure) show that a passage names it."""


def without_arms(claim: str, passages: Sequence[str]) -> str:
    """The claim without the arms of a comparison claim that the passages refer to only
    generically ("the treatment group"): what its numbers must be traced in, since a dose
    in an arm's name is then the arm's name, not a result. An arm the passages name keeps
    its numbers when the sentences naming it state amounts in the same unit, so
    "atorvastatin 80 mg" against a passage's "atorvastatin 10 mg" fails (a "2%" cream
    where only the results are in per cent does not)."""
    contrast = contrast_of(claim)
    if contrast is None:
        return claim
    sentences = [(frozenset(stems(s.text)), s.text) for p in passages for s in _sentences(p)]
    kept, at = [], 0
    for s, e in sorted(contrast.arms):
        words = {w for w in stems(claim[s:e]) if w.isalpha() and len(w) >= MIN_ARM_WORD
                 and w not in _GENERIC_STEMS}
        near = [facts(text) for terms, text in sentences if terms & words]
        units = {_unit(f) for found in near for f in found if f.kind == "quantity"}
        stated = {f.kind for found in near for f in found}
        arm = claim[s:e]
        doses = [f for f in facts(arm) if f.kind == "quantity"]
        kept.append(claim[at:s])
        at = e
        if {_unit(f) for f in doses} & units:
            # the passages name this arm and state amounts in its units: trace those (an
            # amount in a unit the passages never use, or a route or frequency where they
            # state none, is part of the arm's name)
            for fact in facts(arm):
                if (_unit(fact) not in units) if fact.kind == "quantity" else \
                        fact.kind not in stated:
                    arm = arm.replace(fact.text, " ", 1)
            kept.append(arm)
    kept.append(claim[at:])
    return " ".join(kept)


_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def without_defined_figures(claim: str, passages: Sequence[str]) -> str:
    """The claim less the figures of a long form that its abbreviation carries, where the
    passages use the abbreviation ("forced expiratory volume in 1 second (FEV1)" against a
    passage's "FEV1", "tidal expiratory flow at 10% (TEF10)"): the figure is part of the
    measure's name, which the passages state by the abbreviation. A figure the
    abbreviation does not carry is still traced."""
    text = " ".join(passages)
    for short, long in find_definitions(claim):
        if not re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
            continue
        bare = _without_figures(long, frozenset(_DIGITS.findall(short)))
        if bare != long:
            claim = claim.replace(long, bare, 1)
    return claim


def _without_figures(text: str, figures: frozenset[str]) -> str:
    """``text`` with each of ``figures`` that stands alone in it blanked."""
    return _DIGITS.sub(lambda m: " " if m.group() in figures else m.group(), text)


EVERY_ARM_WORDS = frozenset("each both all either every".split())
"""Words before "<name> group" that make it every arm ("within each vaccine group"), not one
arm's name."""


LABEL_WORDS_BEFORE = 3
"""Words before "group" / "arm" that may make up an arm's label ("the LPS-vaccine group",
"the saline vehicle arm", "the 1-week triple therapy group")."""
LABEL_BREAKS = frozenset("plus vs versus".split())
"""Words that join two arms' names: a label does not run back past them."""
PLURAL_ARM_NOUNS = frozenset("groups arms".split())
JOINING = frozenset("and or".split())
"""Words joining the labels of arms named together ("the LPS and placebo pretreatment
groups" are the LPS pretreatment group and the placebo one)."""


def _arm_labels(window: Analysis, outcome: frozenset[str]) -> list[frozenset[str]]:
    """The labels a passage sentence names arms by: the word before "group" / "arm" ("the
    yoga group"), less the generic ones ("the control group"), those said of every arm
    ("each vaccine group"), numbers ("group II"), words of the claim's outcome and words
    that measure ("the mean group difference"); with the words of its name before it
    in its clause ("the LPS-vaccine group", "the saline vehicle arm", "the LPS and placebo
    pretreatment groups"), any of which but a
    generic one ("the placebo-vaccine group") may name the arm."""
    tokens = window.tokens
    labels = []
    for i, token in enumerate(tokens[1:], start=1):
        head = tokens[i - 1]
        if token.word not in _ARM_NOUNS or not head.stem or not head.stem.isalpha() or \
                head.stem in _GENERIC_STEMS | _FILLERS | _CUE_STEMS | _COUNT_WORDS | \
                _MEASURE_STEMS | outcome:
            continue
        start = i - 1
        while start > 0 and i - start < LABEL_WORDS_BEFORE + 1 and \
                tokens[start - 1].clause == token.clause and \
                tokens[start - 1].word not in LABEL_BREAKS and (tokens[start - 1].stem or (
                    token.word in PLURAL_ARM_NOUNS and tokens[start - 1].word in JOINING)):
            start -= 1
        if start > 0 and tokens[start - 1].word in EVERY_ARM_WORDS:
            continue
        labels.append(frozenset(t.stem for t in tokens[start:i] if t.stem) - (
            _FILLERS | _CUE_STEMS | _MEASURE_STEMS))
    return labels


_COUNT_WORDS = frozenset(stem_of(w) or w for w in (
    "one two three four five six seven eight nine ten first second third fourth fifth last "
    "i ii iii iv v vi a b c d e").split())
"""Words before "group" that number or letter the arms ("the five groups", "group II")."""
MIN_PREFIX = 3
"""Letters of an arm word a passage's shortening of it keeps ("Dex" for dexamethasone)."""


def _names_arm(stem: str, arms: str) -> bool:
    """Whether a passage's name for an arm (a stem) names one of the claim's arms: one of
    its words (or their root), a shortening of one ("dex"), or its initials ("TC" for "Tai
    Chi", "WTU" for "water treatment units")."""
    terms = set(stems(arms))
    if stem in terms or root(stem) in {root(t) for t in terms}:
        return True
    words = words_of(arms)
    if len(stem) >= MIN_PREFIX and any(w.startswith(stem) for w in words):
        return True
    return any("".join(w[0] for w in words[i:j]) in (stem, stem.rstrip("s"))
               for i in range(len(words)) for j in range(i + 2, min(i + MAX_INITIALS,
                                                                    len(words)) + 1))


def arm_reasons(contrast: Contrast, passages: Sequence[str], window: Analysis,
                drugs: Drugs) -> list[Reason]:
    """An arm the passages contradict: they name drugs, none of them the arm's; or the
    aligned sentence names an arm that neither of the claim's arms is."""
    mine = drugs(contrast.intervention) | drugs(contrast.comparator)
    theirs = frozenset().union(*(drugs(p) for p in passages)) - drugs(contrast.outcome)
    if mine and theirs and not mine & theirs:
        return [("entity", f"the passages name {', '.join(sorted(theirs)[:3])}, not "
                           f"{', '.join(sorted(mine))}, as the arms")]
    if mine & theirs:
        return []  # the arms are named, by one of their names
    arms = f"{contrast.intervention} {contrast.comparator}"
    labels = _arm_labels(window, frozenset(stems(contrast.outcome)))
    other = [label for label in labels
             if not any(_names_arm(t, arms) for t in label - _GENERIC_STEMS)]
    if other and len(other) == len(labels):
        return [("entity", f"the passage compares \"{' '.join(sorted(other[0]))}\", an arm "
                           "the sentence does not name")]
    return []


def _arm_stems(contrast: Contrast) -> frozenset[str]:
    return frozenset(stems(f"{contrast.comparator} {contrast.intervention}")) - frozenset(
        stems(contrast.outcome))


def _verb_positions(claim: str, contrast: Contrast) -> set[int]:
    """Token positions of the finding ("significantly increased"): the cues of a comparison
    claim are its finding's; a cue word in an arm or the outcome names it ("low-dose",
    "weight loss")."""
    s, e = contrast.verb
    return set(range(len(tokens_of(claim[:s])), len(tokens_of(claim[:e]))))


TIME_WORDS = ("time", "times", "duration", "durations", "latency", "onset", "delay")
"""Words of an outcome that is a time: a speed goes the other way."""
_TIME_STEMS = frozenset(s for w in TIME_WORDS if (s := stem_of(w)))


def _outcome_words_out(window: Analysis, contrast: Contrast) -> Analysis:
    """The window less the direction and negation cues that are words of the claim's
    outcome (its "weight loss" names the outcome, it reports no change, and so does "lost"
    in "lost more weight"; "absence of heartburn" names it, it negates nothing); a graded
    change of an outcome that is a change reads as its grade ("greater reductions" of
    "reductions in pain"); a speed as a change of the outcome ("earlier" is a decrease of a
    time to an event, "faster" an increase of a walking speed)."""
    words = {t.word for t in tokens_of(contrast.outcome)}
    named = {t.stem for t in tokens_of(contrast.outcome) if t.stem}
    cues, dropped = [], []
    for c in window.cues:
        span = window.tokens[c.start:c.end]
        if c.kind in ("dir", "neg") and all(
                IRREGULAR_FORMS.get(t.word, t.word) in words for t in span):
            dropped.append(c)
            continue
        if c.kind == "dir" and len(span) > 1 and span[0].word in COMPARATIVES and \
                span[-1].stem in named:  # "greater reductions" of "reductions in X"
            axis, value = DIRECTIONS[span[0].word]
            c = replace(c, value=value, axis=axis)
        if c.kind == "dir" and c.axis == "spd":  # "earlier" is less time, more speed
            flip = bool(named & _TIME_STEMS)
            c = replace(c, axis="mag", value="-" if (c.value == "+") == flip else "+")
        cues.append(c)
    if any(c.kind == "neg" for c in dropped):  # what only they negated is not negated
        negations = [c for c in cues if c.kind == "neg" or (
            c.kind == "null" and window.tokens[c.start].word in NEGATION_WORDS)]
        cues = [replace(c, negated=False) if c.negated and not any(
            n.end <= c.start <= n.end + GOVERNED for n in negations) else c for c in cues]
    return Analysis(window.text, window.tokens, tuple(cues), window.comparisons)


def _doses_out(window: Analysis, contrast: Contrast) -> Analysis:
    """The window less direction words that name a dose ("MCV values in low dose (120
    mg/kg) and mid dose were significantly higher"): "low dose" names an arm, it reports no
    decrease. Not where the outcome is a dose ("required a higher dose of atropine")."""
    tokens = window.tokens
    if {t.word for t in tokens_of(contrast.outcome)} & DOSE_NAMES:
        return window
    cues = tuple(c for c in window.cues if not (
        c.kind == "dir" and c.end - c.start == 1 and c.end < len(tokens) and
        tokens[c.end].word in DOSE_NAMES))
    return Analysis(window.text, window.tokens, cues, window.comparisons)


EVERY_ARM = re.compile(
    r"\b(?:in|within|for|among|across|of) (?:all|each|both|either|every) (?:of )?(?:the )?"
    r"(?:\w+ ){0,3}?(?:groups?|arms?|patients|participants|subjects|cohorts?|cases|"
    r"treatments|regimens|interventions)\b"
    r"|\bwithin groups?\b|\b(?:regardless|irrespective|independently) of\b")
"""Words that say a change holds in every arm ("in both groups", "in each analysed group",
"in all patients", "within groups", "regardless of the type of therapy")."""
OVER_TIME = re.compile(r"\b(?:over|with) time\b|\b(?:during|over|in) the course of\b"
                       r"|\beffects? of time\b|\btime effects?\b")
"""Words that say a change came with time ("over time", "during the course of training",
"a significant effect of time"): a change of every arm from before to after."""


def _every_arm_changes_out(window: Analysis, contrast: Contrast) -> Analysis:
    """The window less the significant changes and direction words said of every arm or over
    time ("changes in each group were significant (p < 0.001)", "decreased significantly
    within groups", "a significant shortening during the course of training"): a change
    every arm shows is no difference between them, so it is no finding for a comparison
    claim either way. Not where its words compare the arms ("significantly lower in both
    groups than with placebo"; the outcome's own words, "differences between the onset of
    ...", compare nothing) or name one arm ("in the X group", or over time in one arm). A p
    value goes with the finding before it in its sentence."""
    outcome = {t.word for t in tokens_of(contrast.outcome)}
    between = BETWEEN_WORDS - outcome
    dropped: list[Cue] = []
    for cue in window.cues:
        if cue.kind not in ("sig", "dir") or cue.negated:
            continue
        words = [window.tokens[i].word for i in _finding_span(window, cue)]
        if between & set(words):
            continue
        text = " ".join(words)
        if _ONE_ARM.search(text):
            continue  # "3.1% in the carbetocin group and 7.2% in all oxytocin groups"
        over_time = OVER_TIME.search(text) and not which_arm(text, contrast.intervention,
                                                             contrast.comparator)
        if EVERY_ARM.search(text) or over_time or (
                cue.value == "p" and _finding_before(window, cue) in dropped):
            dropped.append(cue)
    if not dropped:
        return window
    return Analysis(window.text, window.tokens, tuple(c for c in window.cues if c not in dropped),
                    window.comparisons)


ALTERNATIVES = re.compile(r",? or ")
"""What separates the alternatives of one side of a comparison claim ("nutrition
psychoeducation (NPC) or motivational interviewing (MIC)")."""


def _within_one_side_out(window: Analysis, contrast: Contrast) -> Analysis:
    """The window less the findings of no difference between arms that the claim puts on one
    side ("MIC and NPC did not differ (p=.393)" for a claim of "NPC or MIC" against usual
    care): two alternatives of the claim's intervention (or of its comparator) alike say
    nothing of how they compare with the other side. Only where the finding's clause names
    two alternatives of one side and no word of the other."""
    dropped: list[Cue] = []
    for cue in window.cues:
        if cue.kind != "null" and not (cue.kind == "sig" and cue.negated):
            continue
        if cue.value == "p" and _finding_before(window, cue) in dropped:
            dropped.append(cue)  # a p value goes with the finding before it
            continue
        found = {t.stem for t in _context(window, cue) if t.stem}
        for side, other in ((contrast.intervention, contrast.comparator),
                            (contrast.comparator, contrast.intervention)):
            parts = [p for p in ALTERNATIVES.split(side) if stems(p)]
            own = [{t for t in found - _GENERIC_STEMS if _names_arm(t, p) and
                    not any(_names_arm(t, q) for q in parts if q != p)} for p in parts]
            if len(parts) > 1 and sum(1 for o in own if o) > 1 and not any(
                    _names_arm(t, other) for t in found):
                dropped.append(cue)
                break
    if not dropped:
        return window
    return Analysis(window.text, window.tokens, tuple(c for c in window.cues if c not in dropped),
                    window.comparisons)


def _finding_before(window: Analysis, cue: Cue) -> Cue | None:
    """The finding (significance or no difference) before a cue in its sentence, if any."""
    sentence = window.tokens[cue.start].sentence
    before = [c for c in window.cues if c.kind in ("null", "sig") and c.end <= cue.start and
              window.tokens[c.start].sentence == sentence]
    return before[-1] if before else None


def _finding_span(window: Analysis, cue: Cue) -> list[int]:
    """The token positions a finding is stated in, for :func:`_every_arm_changes_out`: back
    to the finding before it in its sentence or the word that set its clause against the one
    before ("..., but only the telephone group was significant"), on to the end of its clause
    (past a bracket: "(P = .01) compared with the control group")."""
    tokens = window.tokens
    at = tokens[cue.start]
    start = max([c.end for c in window.cues if c.kind in ("null", "sig") and
                 c.end <= cue.start and tokens[c.start].sentence == at.sentence] +
                [i for i in range(cue.start) if tokens[i].word in CONTRASTING and
                 tokens[i].sentence == at.sentence], default=0)
    clause, end = tokens[cue.end - 1].clause, cue.end
    while end < len(tokens) and (tokens[end].clause == clause or tokens[end].bracket):
        end += 1
    return [i for i in range(start, end) if tokens[i].sentence == at.sentence]


CONTRASTING = frozenset("but whereas although though however while yet except unless".split())
"""Words that open a clause set against the one before: a finding after them is stated in
its own words, not in those before."""


DOSE_NAMES = frozenset("dose doses dosage".split())
"""Words after which a direction word names an arm by its dose ("low dose", "high dose")."""
EXCEPTING = ("but", "not")
"""The words that leave one arm out of a finding against another ("lower when compared to
UC but not MIC")."""


def _third_arm_out(window: Analysis, contrast: Contrast) -> Analysis:
    """The window with a finding against a third arm that leaves out one of the claim's
    arms ("BDI scores were significantly lower when compared to UC (p=0.009) but not MIC
    (p=0.195)", the claim comparing with MIC) read as no difference against it: the change
    is said of an arm the claim does not compare (its cues are dropped), and "but not MIC"
    says it does not hold against the claim's arm (a finding of no difference)."""
    tokens = window.tokens
    words = [t.word for t in tokens]
    cues = list(window.cues)
    changed = False
    for i in range(len(words) - 2):
        if tuple(words[i:i + 2]) != EXCEPTING:
            continue
        sentence = tokens[i].sentence
        named = " ".join(t.word for t in tokens[i + 2:i + 2 + ARM_WORDS]
                         if t.clause == tokens[i + 2].clause)
        third = [c for c in window.comparisons if tokens[c.start].sentence == sentence and
                 c.start < i and not which_arm(" ".join(words[c.arm[0]:c.arm[1]]),
                                               contrast.intervention, contrast.comparator)]
        if not which_arm(named, contrast.intervention, contrast.comparator) or not third:
            continue
        changes = [c for c in cues if c.kind in ("sig", "dir") and not c.negated and
                   c.start < i and tokens[c.start].sentence == sentence]
        scope = frozenset().union(*(c.scope for c in changes)) if changes else frozenset()
        cues = [c for c in cues if c not in changes and not (
            c.kind == "neg" and c.start == i + 1)]
        cues.append(Cue("null", "null", i + 1, i + 2, scope))
        changed = True
    if not changed:
        return window
    return Analysis(window.text, tokens, tuple(sorted(cues, key=lambda c: c.start)),
                    window.comparisons)


RANKING_WORDS = COMPARATIVES | frozenset("longer shorter better worse".split())
"""Words that rank the arms ("more", "higher"): said of one arm, they say it is above the
other."""
ARM_PREPOSITIONS = frozenset("in with for among using receiving".split())
"""Words after which a sentence names the arm a ranking is said of ("more in group II")."""
ARM_WORDS = 6
"""Words after such a preposition that may name the arm."""


def _ranked_by_arm(window: Analysis, contrast: Contrast) -> Analysis:
    """The window with a ranking said of the claim's comparator alone read for the
    intervention ("incidence of apnoea was more in group II", group II the comparator: less
    with the intervention), in a sentence that states no comparison of its own (there
    :func:`orientation` reads which arm is which)."""
    compared = {window.tokens[c.start].sentence for c in window.comparisons}
    cues = []
    for cue in window.cues:
        at = window.tokens[cue.start]
        if cue.kind == "dir" and at.word in RANKING_WORDS and at.sentence not in compared and \
                _arm_ranked(window, cue, contrast) == "comparator":
            cue = replace(cue, value="-" if cue.value == "+" else "+")
        cues.append(cue)
    return Analysis(window.text, window.tokens, tuple(cues), window.comparisons)


def _arm_ranked(window: Analysis, cue: Cue, contrast: Contrast) -> str | None:
    """Which of the claim's arms the words after a ranking's preposition name, in its
    clause ("was more | in group II"): "intervention", "comparator" or None."""
    at = window.tokens[cue.start]
    after = [t for t in window.tokens[cue.end:] if t.clause == at.clause and
             t.sentence == at.sentence]
    starts = [i for i, t in enumerate(after) if t.word in ARM_PREPOSITIONS]
    if not starts:
        return None
    outcome = frozenset(stems(contrast.outcome))
    words = " ".join(t.word for t in after[starts[0] + 1:starts[0] + 1 + ARM_WORDS]
                     if t.stem not in outcome)
    return which_arm(words, contrast.intervention, contrast.comparator)


SAME_IN_EVERY_ARM = re.compile(
    r"(?<![\w.])(?:[<>≤≥]\s?)?\d+(?:\.\d+)?\s?(?:%|[^\W\d_]+(?:/[^\W\d_]+)?)?"
    r"(?:\s?(?:±|\+/-)\s?\d+(?:\.\d+)?\s?(?:%|[^\W\d_]+)?)?"
    r"\s(?:in|for|among|with)\s(?:both|either|each|all)\s(?:the\s)?(?:\w+\s)?(?:groups|arms)\b",
    re.I)
"""One figure said of every arm ("7.5 ± 1.5 days in both groups", "≤ 0.2 in both groups")."""
_CLAUSE_START = re.compile(r"[,;:()\[\]]|\brespectively\b", re.I)


def _same_in_every_arm(window: Analysis) -> Analysis:
    """The window with one figure said of every arm ("The mean stay was 7.5 ± 1.5 days in
    both groups") read as a finding of no difference: the arms had the same value. Only
    where the figure is the only one in its clause (not "12 and 14 days in both groups",
    "respectively") and its sentence states no significance of its own."""
    found = []
    for m in SAME_IN_EVERY_ARM.finditer(window.text):
        before = window.text[:m.start()]
        clause = _CLAUSE_START.split(before)[-1]
        if any(c.isdigit() for c in clause) or "respectively" in window.text[m.end():].lower():
            continue
        start = len(tokens_of(before))
        end = len(tokens_of(window.text[:m.end()]))
        if end > len(window.tokens) or start >= end:
            continue
        sentence = window.tokens[start].sentence
        if any(c.kind in ("null", "sig") and window.tokens[c.start].sentence == sentence
               for c in window.cues):
            continue
        scope = frozenset(t.stem for t in window.tokens if t.sentence == sentence and t.stem)
        found.append(Cue("null", "same", start, end, scope))
    if not found:
        return window
    cues = tuple(sorted((*window.cues, *found), key=lambda c: c.start))
    return Analysis(window.text, window.tokens, cues, window.comparisons)


LABEL_WORD = 4
"""Letters of the last word of a table row's label ("haemorrhage"); a row's cells hold only
figures and short marks ("mg", "sd", "a")."""
ROW_FIGURES = 3
"""Figures a table row has after its label besides its last."""
P_DECIMALS = 2
"""Decimals a table row's last figure has to be read as its p value ("0.08", "0.137")."""
NULL_P = 0.05
"""The least p value that reports no difference."""
LABEL_WORDS = 8
"""Words a table row's label has at most: a longer run before the figures is prose."""
ROW_MARKS = frozenset("ci to or rr hr p < > = ≤ ≥".split())
"""Marks after which a figure is a bound, a ratio or a stated p value ("95% CI 0.08-0.30",
"<0.05"), not a bare p value."""


def _table_p_values(window: Analysis) -> Analysis:
    """The window with the last figure of a table row read as its p value where it says no
    difference ("Major haemorrhage 33/2212 (1.5%) 57/2235 (2.5%) 0.63 (0.37-1.05) 0.08"): a
    bare figure in [0.05, 1) after the arms' figures. A smaller one is not read: a row does
    not say which column is which arm, so it would pass a claim of either direction."""
    found = []
    for sentence in sorted({t.sentence for t in window.tokens}):
        if not any(c.kind in ("null", "sig") and window.tokens[c.start].sentence == sentence
                   for c in window.cues):
            cue = _row_p_value(window, sentence)
            found += [cue] if cue is not None else []
    if not found:
        return window
    cues = tuple(sorted((*window.cues, *found), key=lambda c: c.start))
    return Analysis(window.text, window.tokens, cues, window.comparisons)


def _row_p_value(window: Analysis, sentence: int) -> Cue | None:
    """A no-difference finding at the end of a sentence that is a table row: a short label,
    then only figures and short marks, the last a bare figure with decimals in [0.05, 1)
    (not in a bracket, after a bound's or ratio's mark, or paired: "0.003/0.180")."""
    tokens = window.tokens
    at = [i for i, t in enumerate(tokens) if t.sentence == sentence]
    words = [i for i in at if tokens[i].word.isalpha() and len(tokens[i].word) >= LABEL_WORD]
    if not words or sum(1 for i in at if i <= words[-1]) > LABEL_WORDS:
        return None
    cells = [tokens[i] for i in at if i > words[-1]]
    if not cells or cells[-1].bracket or any(t.word in ROW_MARKS for t in cells):
        return None
    last = cells[-1].word
    value = _figure(last)
    if value is None or not NULL_P <= value < 1 or len(last.partition(".")[2]) < P_DECIMALS \
            or sum(1 for t in cells if _figure(t.word) is not None) <= ROW_FIGURES \
            or re.search(rf"/\s?{re.escape(last)}", window.text):
        return None
    label = frozenset(stem for i in at if i <= words[-1] and (stem := tokens[i].stem))
    return Cue("null", "p", at[-1], at[-1] + 1, label)


def _figure(word: str) -> float | None:
    """The value of a token that is a figure, else None."""
    try:
        return float(word)
    except ValueError:
        return None


REPORT_WORDS = ("result results indicate indicates indicated suggest suggests suggesting "
                "detected detect observed observe noted seen difference differences "
                "significant significance statistically statistical analysis analyses "
                "comparison comparisons compared p value values time point points timepoint "
                "timepoints any however overall again also table tables fig figure figures "
                "outcome outcomes measure measures endpoint endpoints respectively").split()
"""Words a sentence reports a finding in without naming what it is about ("These results
indicate no significant differences among the groups (Table 3)")."""
TEST_WORDS = ("test tests log rank chi square squared fisher exact student wilcoxon mann "
              "whitney kruskal wallis anova ancova regression model models cox logistic "
              "linear paired unpaired two sided tailed").split()
"""Words naming the statistical test a finding was reached by ("log-rank test p = 0.002",
"chi-square test"): they say how it was found, not what it is about."""
_REPORT_STEMS = frozenset(s for w in (*REPORT_WORDS, *TEST_WORDS) if (s := stem_of(w)))
MAX_NAMED = 1
"""Content words (other than arms, report and generic words) a finding's sentence may have
and still be about the sentence before it."""


def _generic_findings_carried(window: Analysis, contrast: Contrast) -> Analysis:
    """The window with a finding stated generically in its second sentence ("These results
    indicate no significant differences among the three groups (P = 0.77)", "This difference
    was not significant") read as about what the first sentence reports: the sentence names
    nothing else, so it can only be about that. A p value is about all it follows back to
    the finding before it, however long the figures in between."""
    first = frozenset(t.stem for t in window.tokens if t.sentence == 0 and t.stem)
    known = _GENERIC_STEMS | _REPORT_STEMS | _FILLERS | _arm_stems(contrast) | {
        t.stem for c in window.cues for t in window.tokens[c.start:c.end] if t.stem}
    cues = []
    for cue in window.cues:
        at = window.tokens[cue.start].sentence
        if cue.kind in ("null", "sig") and cue.value == "p":  # all it follows, however long
            cue = replace(cue, scope=cue.scope | {t.stem for t in _context(window, cue)
                                                  if t.stem})
        if cue.kind in ("null", "sig") and at > 0 and not EXCEPT.search(" ".join(
                t.word for t in window.tokens if t.sentence == at)):
            named = {t.stem for t in window.tokens if t.sentence == at and t.stem} - known
            if len(named) <= MAX_NAMED and not (cue.scope & first) - known:
                # as much about it as the first sentence's own findings, no more: where they
                # disagree, which is stated between the arms settles it (:func:`_settled`)
                cue = replace(cue, scope=first | named)
        cues.append(cue)
    return Analysis(window.text, window.tokens, tuple(cues), window.comparisons)


ABSENCE_WORDS = frozenset("no not none neither nor never nothing nobody fail fails failed".split())
"""Negations that, said of a comparison's outcome, report no difference in it ("No side
effects were reported", "did not affect walking distance", "failed to detect a
difference")."""


def _absences_as_findings(window: Analysis, contrast: Contrast) -> Analysis:
    """The window with a negation of the claim's outcome read as a finding of no difference
    ("There were no infections in either group": none, so none more in one arm) rather
    than as a negation the claim drops; a negation of an arm ("none in group NC") is a
    count of that arm, not a negation either."""
    outcome = _outcome_stems(contrast)
    arms = (_arm_stems(contrast) | _GENERIC_STEMS) - outcome
    cues = []
    for c in window.cues:
        if c.kind == "neg" and window.tokens[c.start].word in ABSENCE_WORDS:
            head = set(_head(window, c))
            if window.tokens[c.start].word in COUNT_NEGATIONS and head & arms and \
                    not head & outcome:
                continue  # "none in group NC", "no debriefing in the email": an arm's count
            if _absent(window, c, outcome, contrast):
                c = replace(c, kind="null", value="absent")
        cues.append(c)
    return Analysis(window.text, window.tokens, tuple(cues), window.comparisons)


PRONOUN_SUBJECTS = frozenset("this it".split())
"""Words that, opening a sentence, make it about what the sentence before it reports."""


def _pronoun_findings_carried(window: Analysis) -> Analysis:
    """The window with the findings of a sentence that opens with a pronoun ("Volume was
    measured from month 3. It was significantly lower with X.") read as also about what the
    sentence before it names: the pronoun stands for that."""
    opening = {t.sentence for i, t in enumerate(window.tokens)
               if t.sentence > 0 and t.word in PRONOUN_SUBJECTS and
               window.tokens[i - 1].sentence < t.sentence}
    if not opening:
        return window
    before = {s: frozenset(t.stem for t in window.tokens if t.sentence == s - 1 and t.stem)
              for s in opening}
    cues = tuple(replace(c, scope=c.scope | before[at]) if c.kind in FINDING_KINDS and
                 (at := window.tokens[c.start].sentence) in opening else c
                 for c in window.cues)
    return Analysis(window.text, window.tokens, cues, window.comparisons)


FINDING_KINDS = ("dir", "sig", "null", "causal")
"""Cues that state a finding: a change, a significance, no difference, an association."""


def _findingless_negations_out(window: Analysis) -> Analysis:
    """The window less the negations in a sentence of it that states no finding ("Volume
    was measured from month 3 to avoid early swelling. It was significantly lower with
    X."): a comparison claim states a finding only, and a negation in a sentence of methods
    or purpose negates none."""
    stating = {window.tokens[c.start].sentence for c in window.cues if c.kind in FINDING_KINDS}
    return Analysis(window.text, window.tokens, tuple(
        c for c in window.cues
        if c.kind != "neg" or window.tokens[c.start].sentence in stating), window.comparisons)


def _head(window: Analysis, negation: Cue) -> list[str]:
    """The content words that say what a negation negates ("no | local infections")."""
    clause = window.tokens[negation.start].clause
    return [t.stem for t in window.tokens[negation.end:] if t.clause == clause and t.stem][
        :ABSENT_HEAD]


COUNT_NEGATIONS = frozenset({"no", "none"})
"""Negations that can count an arm ("none in group NC"), unlike "not MIC"."""
ABSENT_HEAD = 2
"""Content words after a negation that name what is absent ("no | local infections")."""
ACROSS_WORDS = frozenset("either both neither nor any all between among".split())
"""Words that say an absence holds in every arm ("in either group")."""


def _absent(window: Analysis, negation: Cue, outcome: frozenset[str],
            contrast: Contrast) -> bool:
    """Whether a negation says the outcome itself is absent in every arm: what it negates
    starts with the outcome's words, it negates no direction or significance ("did not
    reduce" is judged as such), its sentence reports no significant difference, and it
    names none of the arms alone ("no episodes in the tinzaparin group" is one arm)."""
    if _governs(window, negation):
        return False
    tokens = window.tokens
    if not set(_head(window, negation)) & outcome:
        return False
    sentence = tokens[negation.start].sentence
    if any(tokens[c.start].sentence == sentence and not c.negated for c in window.of("sig")):
        return False
    words = {t.word for t in tokens if t.sentence == sentence}
    named = {t.stem for t in tokens if t.sentence == sentence and t.stem} & (
        _arm_stems(contrast) - _GENERIC_STEMS)
    return not named or bool(words & ACROSS_WORDS)


def _outcome_names(contrast: Contrast) -> frozenset[str]:
    """The words naming a comparison claim's outcome: its terms, and its figures as written
    ("A1C <7%" is not "A1C <6.5%")."""
    return _outcome_stems(contrast) | {t.word for t in tokens_of(contrast.outcome)
                                       if _figure(t.word) is not None}


def _outcome_stems(contrast: Contrast) -> frozenset[str]:
    """The terms that name a comparison claim's outcome (less how it is measured)."""
    return frozenset(stems(contrast.outcome)) - _FILLERS - _MEASURE_STEMS


def _judged_as_contrast(claim: str, contrast: Contrast, mine: Analysis, found: list[Reason],
                        passages: Sequence[str], window: Analysis, drugs: Drugs
                        ) -> tuple[Analysis, list[Reason], frozenset[str]]:
    """What a comparison claim is judged on: its finding's cues, about the whole outcome and
    the arms however long their names ("significantly increased" is about all of "Steady-State
    Plasma Glucose Response (SSPG)"), less the cues inside an arm's name ("low-dose",
    "no-morphine"); the entity reasons less those about an arm's name unless
    the passages contradict the arm; and the arm terms the passages may leave out when
    they refer to the arms generically ("the treatment group", "both groups")."""
    verb = _verb_positions(claim, contrast)
    about = frozenset(stems(contrast.outcome)) | _arm_stems(contrast)
    mine = Analysis(mine.text, mine.tokens, tuple(
        replace(c, scope=c.scope | about) for c in mine.cues if c.start in verb),
        _arms_compared(contrast) or mine.comparisons)
    contradicted = arm_reasons(contrast, passages, window, drugs)
    if contradicted:
        return mine, contradicted + found, frozenset()
    arms = plain(f"{contrast.comparator} {contrast.intervention}")
    outcome = plain(contrast.outcome)
    kept = [r for r in found if not ((m := re.search(r'"([^"]+)"', r[1])) and
                                     f" {m[1]} " in arms and f" {m[1]} " not in outcome)]
    kept = _outcome_populations_out(kept, contrast, passages)
    arm_stems = _arm_stems(contrast)
    have = {t for p in passages for s in _sentences(p) for t in s.terms}
    refers = bool(have & (_GENERIC_STEMS | arm_stems)) or any(
        _reports_between_arms(analyse(s.text), contrast) for p in passages
        for s in _sentences(p))
    frame = frozenset(stems(contrast.outcome)) & (_MEASURE_STEMS | _GENERIC_STEMS)
    parts = _outcome_parts(contrast)
    glossed = parts[0] - parts[1] if len(parts) == 2 and parts[1] <= have else frozenset()
    return mine, kept, _template_stems(contrast) | frame | glossed | _bracketed(contrast) | (
        arm_stems if refers else frozenset())


_POPULATION_REASON = re.compile(r'^population "([^"]+)"')


def _outcome_populations_out(found: list[Reason], contrast: Contrast,
                             passages: Sequence[str]) -> list[Reason]:
    """The entity reasons less those about a population word inside the claim's outcome
    ("No. of neonates given glucose after delivery") where the passages name the claim's
    population and no other: there the word says when or in whom the outcome is counted
    in the trial the passages report, not that the claim moved to another population. A
    claim about children citing a passage on adults is still rejected, and so is one whose
    passages name no population at all."""
    theirs = population_groups(plain(" ".join(passages)))
    if not theirs or not theirs <= population_groups(plain(contrast.outcome + " " + " ".join(
            (contrast.comparator, contrast.intervention)))):
        return found
    outcome = plain(contrast.outcome)
    return [r for r in found if not ((m := _POPULATION_REASON.match(r[1])) and
                                     f" {m[1]} " in outcome)]


def _reports_between_arms(sentence: Analysis, contrast: Contrast) -> bool:
    """Whether a passage sentence reports a finding between a trial's arms without naming
    them: a significance or a p value, a comparison, a table row's p value, or an absence
    of the outcome in every arm ("No serious adverse events occurred")."""
    return bool(sentence.of("sig", "null") or sentence.comparisons or
                _table_p_values(sentence).of("null") or
                _absences_as_findings(sentence, contrast).of("null"))


_BRACKET = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


def _bracketed(contrast: Contrast) -> frozenset[str]:
    """The terms of a comparison claim's outcome inside brackets ("systolic blood pressure
    (Riva-Rocci)", "VAS score immediately (first postoperative day) after surgery"): a
    gloss, an instrument or an abbreviation of what the words outside name, which the
    passage reporting the outcome need not repeat. They count only where found; the words
    outside must still be reported (:func:`reports_on`), and a figure inside is still
    traced."""
    return frozenset(stems(" ".join(_BRACKET.findall(contrast.outcome))))


def _arms_compared(contrast: Contrast) -> tuple[Comparison, ...]:
    """A comparison claim's comparison as its parse gives it, where it opens "Compared with
    C, I ...": the intervention is the side favoured, the comparator the reference, however
    long their names (what a sentence's own reading of "compared with" would cut short at a
    bracket or a list's comma)."""
    comparator, intervention = contrast.arms
    if comparator[0] > intervention[0]:
        return ()  # "I increased O compared with C": the sentence's own reading stands
    words = [frozenset(t.stem for t in tokens_of(arm) if t.stem)
             for arm in (contrast.intervention, contrast.comparator)]
    subject, reference = words[0] - words[1], words[1] - words[0]
    if not subject or not reference:
        return ()
    return (Comparison(subject, reference, 0, "arms"),)


_TEMPLATE_STEMS = frozenset(stems("compared"))


def _template_stems(contrast: Contrast) -> frozenset[str]:
    """The words of a comparison claim's finding and frame ("significantly decreased",
    "made no significant difference to", "compared with"): the checks of meaning judge the
    finding against the passage's, which says it in its own words ("earlier", "were not
    different"), so they count only where found."""
    return (frozenset(stems(contrast.finding)) | _TEMPLATE_STEMS) - frozenset(
        stems(contrast.outcome))


OUTCOME_SHARE = 0.5
"""Share of a comparison claim's outcome terms the passage sentence reporting it must have."""
MEASURE_WORDS = ("number", "numbers", "rate", "rates", "incidence", "level", "levels",
                 "proportion", "percentage", "frequency", "amount", "occurrence", "mean",
                 "total", "count", "counts", "overall", "median", "score", "scores", "value",
                 "values", "developing", "developed", "experiencing", "experienced",
                 "reporting", "having")
"""What an outcome is measured in ("number of patients developing ...", "HAM-A scores"): a
passage reporting the outcome often says "more patients ..." without it."""
_MEASURE_STEMS = frozenset(s for w in MEASURE_WORDS if (s := stem_of(w)))


def reports_on(window: Analysis, contrast: Contrast) -> bool:
    """Whether the window reports a finding on the claim's outcome: it has most of the
    outcome's terms, and a significance, no-difference or direction cue about them."""
    return any(_reports_on(window, contrast, part) for part in _outcome_parts(contrast))


def _outcome_parts(contrast: Contrast) -> list[frozenset[str]]:
    """The terms naming a comparison claim's outcome: all of them, and where the outcome is
    an abbreviation its bracket spells out ("HbA1c (glycosylated haemoglobin)"), the
    abbreviation alone (the reverse of "glycosylated haemoglobin (HbA1c)", which
    ``find_definitions`` reads). A bracket that only glosses the outcome ("quality of life
    (SF-36)") does not name it alone: it is often the instrument, which reports on more."""
    whole = _outcome_stems(contrast)
    m = GLOSSED.match(contrast.outcome)
    if m is None or not ABBREVIATION.match(m["head"]):
        return [whole]
    return [whole, frozenset(stems(m["head"]))]


GLOSSED = re.compile(r"^\s*(?:the\s)?(?P<head>[^()\[\]]+?)\s?[(\[](?P<gloss>[^()\[\]]+)"
                     r"[)\]][\s.]*$", re.I)
"""An outcome that ends in a bracket glossing it ("HbA1c (glycosylated haemoglobin)")."""
ABBREVIATION = re.compile(r"^(?=\S*[A-Z]\S*[A-Z0-9])[A-Za-z][\w+/-]{1,9}$")
"""A single token that is an abbreviation: two capitals, or a capital and a figure ("HbA1c",
"LDL", "FEV1")."""


def _reports_on(window: Analysis, contrast: Contrast, outcome: frozenset[str]) -> bool:
    """:func:`reports_on` for one set of terms naming the outcome."""
    if not outcome:
        return True
    roots = {root(t) for t in window.stems}
    numbers = {t for t in stems(window.text) if t[:1].isdigit()}
    have = {t for t in outcome if t in window.stems or root(t) in roots or t in numbers}
    for short, long in find_definitions(contrast.outcome):  # "(GMI)" for its long form
        if set(stems(short)) & window.stems:
            have |= outcome & set(stems(f"{long} {short}"))
    named, shorts = initialisms(contrast.outcome, window.text)
    have |= outcome & named
    if len(have) < OUTCOME_SHARE * len(outcome):
        return False
    return any(c.scope & (have | shorts) for c in window.of("sig", "null", "dir"))


BLANKET = re.compile(
    r"\b(?:any|all|none|each|every|other)\b(?:\s(?:of|the|other|these|those|measured|"
    r"secondary|primary|remaining|study|\w+al|\w+ic))*?\s(?:outcomes?|measures?|"
    r"variables?|parameters?|end\s?points?|scales?|items?|indices|indicators?|"
    r"measurements?|domains?|subscales?|assessments?)\b", re.I)
"""A finding said of every outcome a trial measured ("no significant differences in any of
the psychological measures", "for all outcome variables", "none of the other outcomes")."""
EXCEPT = re.compile(r"\b(?:except|apart from|other than|with the exception|besides|"
                    r"excluding)\b", re.I)
"""Words by which a blanket finding leaves some outcome out: it is then no finding on any
one outcome."""


def _blanket_finding(claim: Analysis, contrast: Contrast, passages: Sequence[str]
                     ) -> Alignment | None:
    """A passage sentence whose finding of no difference covers every outcome measured
    (:data:`BLANKET`), read as the finding on a claim of no significant difference where
    no sentence reports it on the outcome itself: only where the passages name the outcome
    (a blanket finding says nothing of one they never mention), no sentence naming it
    reports a significant change, and the blanket sentence reports none and excepts
    nothing. Never for a claim of a change: "no difference in any outcome" cannot say which
    way one went."""
    if _state(claim, claim.stems, weak=True) != "null":
        return None
    outcome = _outcome_stems(contrast)
    sentences = [(i, s) for i, p in enumerate(passages) for s in _sentences(p)]
    have = frozenset().union(*(s.terms for _, s in sentences)) if sentences else frozenset()
    roots = {root(t) for t in have}
    named = {t for t in outcome if t in have or root(t) in roots}
    if not outcome or len(named) < OUTCOME_SHARE * len(outcome):
        return None
    found = None
    for index, sentence in sentences:
        window = analyse(sentence.text)
        about = {t for t in outcome if t in sentence.terms or root(t) in sentence.roots}
        if len(about) >= OUTCOME_SHARE * len(outcome) and \
                _state(window, frozenset(about), weak=False) == "change":
            return None  # the outcome's own finding is a change
        if found is None and BLANKET.search(sentence.text) and \
                not EXCEPT.search(sentence.text) and _blanket_null(window):
            found = Alignment(index, sentence.text, 1.0)
    return found


def _blanket_null(window: Analysis) -> bool:
    """Whether a sentence reports no difference and no significant change anywhere."""
    null = any(c.kind == "null" or (c.kind in ("dir", "sig") and c.negated)
               for c in window.of("null", "sig", "dir"))
    return null and not any(c.kind == "sig" and not c.negated for c in window.of("sig"))
