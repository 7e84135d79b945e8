"""Comparison claims: "Compared with C, I <finding> O" or "I <finding> O compared with C",
where the finding is a significant change or "no significant difference" (moved here from
``answer/meaning.py``, whose :func:`~medcite.answer.meaning.assess` calls into this module;
what both share — the passage sentences, :func:`_state`, :func:`_settled` and
:func:`_change_beats` — is in ``answer/findings.py``).

1. A comparison claim (:func:`contrast_of`) asserts the outcome and the finding between two
   arms, and is judged on that (:func:`_judged_as_contrast`). Its cues are those of the
   finding only (a cue word in an arm's name or the outcome, "low-dose", "weight loss",
   names it; in the passage a direction word of the outcome's name is no finding either).
   The passage sentence must have most of the outcome's terms (abbreviations the claim
   defines count) and a finding about them (:func:`reports_on`), in agreement, including
   one stated the other way round. The arm names may be missing where the passages refer
   to the arms generically ("the treatment group", "both arms", a p value): their terms
   count only where found, and the numbers in the arms' names (a dose in "10 mg
   atorvastatin") need not be traced (:func:`without_arms`; numbers in the outcome still
   are). An arm the passages contradict is still rejected (:func:`arm_reasons`): they name
   drugs and none of the arms', or the aligned sentence names an arm ("the yoga group")
   neither arm is (not by a number, its initials or a shortening: "group II", "the TC
   group", "the Dex group"; any non-generic word of the label before "group" may name it:
   "the LPS-vaccine group"). Terms in brackets in the outcome (a gloss, an instrument)
   count only where found, and an absence of the outcome in every arm refers to the arms
   (:func:`_reports_between_arms`).
2. How a passage states a comparison's finding, read for a comparison claim: the template
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
3. More of how a passage states a comparison's finding: a finding of no difference said of
   every outcome ("for any of the secondary outcome measures") is the finding on an outcome
   the passages name and report no change in, for a claim of no difference only
   (:func:`_blanket_finding`); a change against a third arm "but not" the claim's arm, or
   "but not with" the claim's own intervention, is no difference for it
   (:func:`_excepted_out`); "low dose" names an arm, not a decrease
   (:func:`_doses_out`); an outcome "HbA1c (glycosylated haemoglobin)" is named by its
   abbreviation alone (:func:`_outcome_parts`); and a figure a claim's abbreviation carries
   ("in 1 second (FEV1)") need not be traced where the passages use the abbreviation
   (:func:`without_defined_figures`).
4. Time and sameness: a significance or no difference stated at another time point than
   the one the claim's outcome names ("significantly lower at 2 months" for a claim about
   6 months; "the difference was not maintained at 6 months" is its finding) is no finding
   on it (:func:`_other_times_out`), and one figure said of every arm ("7.5 ± 1.5 days in
   both groups") is no difference (:func:`_same_in_every_arm`).
5. Mixed sentences: where a change and a finding of no difference are equally about the
   claim's terms, the one whose own clause names more of the claim's outcome decides
   (:func:`_settled`) — a change only where it is stated between the arms, with its
   direction and against nothing the claim does not name (:func:`_change_beats`); and the
   words of a statistical test ("log-rank test p = 0.002") do not stop a finding stated in
   the next sentence from being about the first (:data:`TEST_WORDS`).
6. Changes within the arms: a change said of every arm or over time ("significant in each
   group", "decreased significantly within groups", "during the course of training") is no
   finding between them (:func:`_every_arm_changes_out`); no difference between the arms
   outweighs a change one arm shows ("the yoga arm showed a drop ..., but the comparison
   was not significant", :func:`_settled`); and no difference between two alternatives of
   one side ("NPC or MIC" against usual care: "MIC and NPC did not differ") is no finding on
   the claim (:func:`_within_one_side_out`).
7. Of "increased", "decreased" and "no significant difference" exactly one is true
   (:data:`FINDINGS`, :func:`finding_kind`): a claim the windows are only silent on may
   pass by elimination (``meaning._left_by_elimination``, which re-runs ``assess``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from medcite.answer.cues import (
    COMPARATIVES,
    DIRECTIONS,
    NEGATION_WORDS,
    Analysis,
    Comparison,
    Cue,
    analyse,
    stem_of,
    tokens_of,
)
from medcite.answer.entities import IRREGULAR_FORMS, plain, population_groups
from medcite.answer.figures import figures_direction, which_arm
from medcite.answer.findings import (
    _CUE_STEMS,
    _FILLERS,
    _GENERIC_STEMS,
    _ONE_ARM,
    ARM_PREPOSITIONS,
    ARM_WORDS,
    BETWEEN_WORDS,
    GOVERNED,
    Alignment,
    Drugs,
    Reason,
    _context,
    _context_positions,
    _governs,
    _sentences,
    _state,
)
from medcite.answer.numbers import Fact, facts
from medcite.answer.shorthand import MAX_INITIALS, initialisms, words_of
from medcite.text.abbreviations import find_definitions
from medcite.text.terms import root, stems

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


TIME_WORDS = ("time", "times", "duration", "durations", "latency", "onset", "delay",
              "minutes", "hours", "days", "weeks", "months")
"""Words of an outcome that is a time ("time to healing", "days to return to work"): a
speed goes the other way."""
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


def read_for_claim(window: Analysis, contrast: Contrast) -> Analysis:
    """A passage window as read for a comparison claim: the findings that are not between
    the claim's arms out (changes in every arm, between alternatives of one side, "but not"
    the claim, doses naming arms), table rows' p values and one figure for every arm as
    findings, then the outcome's own words, rankings said of one arm, absences, generic
    findings of the next sentence, other time points, pronoun sentences and negations
    outside any finding (each step's docstring says what it reads)."""
    for step in (_every_arm_changes_out, _within_one_side_out, _excepted_out, _doses_out):
        window = step(window, contrast)
    window = _same_in_every_arm(_table_p_values(window))
    for step in (_outcome_words_out, _ranked_by_arm, _absences_as_findings,
                 _generic_findings_carried, _other_times_out):
        window = step(window, contrast)
    return _findingless_negations_out(_pronoun_findings_carried(window))


def _excepted_out(window: Analysis, contrast: Contrast) -> Analysis:
    """The window with a change that "but not" says does not hold for the claim read as no
    difference for it: the change's cues are dropped (they are another arm's) and "but not"
    becomes a finding of no difference. Two shapes (:func:`_excepts_claim`): a finding
    against a third arm that leaves out one of the claim's ("BDI scores were significantly
    lower when compared to UC (p=0.009) but not MIC (p=0.195)", the claim comparing with
    MIC), and a change said "but not with" the claim's own intervention ("longer versus
    placebo with X 60 mg, but not with X 30 mg", the claim on X 30 mg)."""
    tokens = window.tokens
    cues = list(window.cues)
    changed = False
    for i in range(len(tokens) - 2):
        if (tokens[i].word, tokens[i + 1].word) != EXCEPTING:
            continue
        sentence = tokens[i].sentence
        named = [t.word for t in tokens[i + 2:i + 2 + ARM_WORDS]
                 if t.clause == tokens[i + 2].clause]
        changes = [c for c in cues if c.kind in ("sig", "dir") and not c.negated and
                   c.start < i and tokens[c.start].sentence == sentence]
        if not _excepts_claim(window, i, named, contrast, bool(changes)):
            continue
        scope = frozenset().union(*(c.scope for c in changes))
        cues = [c for c in cues if c not in changes and not (
            c.kind == "neg" and c.start == i + 1)]
        cues.append(Cue("null", "null", i + 1, i + 2, scope))
        changed = True
    if not changed:
        return window
    return Analysis(window.text, tokens, tuple(sorted(cues, key=lambda c: c.start)),
                    window.comparisons)


_FIGURE = re.compile(r"\d+(?:[.,]\d+)?")


def _excepts_claim(window: Analysis, at: int, named: list[str], contrast: Contrast,
                   changes: bool) -> bool:
    """Whether the "but not" at ``at``, followed by ``named``, leaves the claim out of the
    change before it: ``named`` names one of the claim's arms and the sentence's comparison
    before it is against a third arm; or ``named`` names the claim's intervention, with none
    but its own figures ("30 mg" is not "60 mg"), after a change."""
    tokens = window.tokens
    side = which_arm(" ".join(named), contrast.intervention, contrast.comparator)
    if side is None:
        return False
    if any(tokens[c.start].sentence == tokens[at].sentence and c.start < at and not which_arm(
            " ".join(t.word for t in tokens[c.arm[0]:c.arm[1]]), contrast.intervention,
            contrast.comparator) for c in window.comparisons):
        return True
    mine = set(_FIGURE.findall(contrast.intervention))
    figures = {w for w in named if _FIGURE.fullmatch(w)}
    return changes and side == "intervention" and figures <= mine and bool(figures or not mine)


RANKING_WORDS = COMPARATIVES | frozenset("longer shorter better worse".split())
"""Words that rank the arms ("more", "higher"): said of one arm, they say it is above the
other."""


def _ranked_by_arm(window: Analysis, contrast: Contrast) -> Analysis:
    """The window with a ranking said of the claim's comparator alone read for the
    intervention ("incidence of apnoea was more in group II", group II the comparator: less
    with the intervention), in a sentence that states no comparison of its own (there
    :func:`~medcite.answer.meaning.orientation` reads which arm is which)."""
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
    """The terms naming a comparison claim's outcome: all of them, and where the outcome
    ends in a bracket, its head alone — an abbreviation the bracket spells out ("HbA1c
    (glycosylated haemoglobin)"; the reverse, "glycosylated haemoglobin (HbA1c)", is read by
    ``find_definitions``) or a name the bracket lists the parts of ("blood gas data
    (PaCO2, PaO2, pH)"). The bracket alone does not name it ("quality of life (SF-36)"): it
    is often the instrument, which reports on more."""
    whole = _outcome_stems(contrast)
    m = GLOSSED.match(contrast.outcome)
    if m is None:
        return [whole]
    head = frozenset(stems(m["head"])) - _FILLERS - _MEASURE_STEMS
    return [whole, head] if head else [whole]


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


# -- time points ------------------------------------------------------------------------

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
    """A time unit in one spelling ("weeks", "wks", "wk" are "week"; "min" is "minute")."""
    unit = unit[:-1] if len(unit) > 2 and unit.endswith("s") else unit
    return _TIME_SPELLINGS.get(unit, unit)


_TIME_SPELLINGS = {"min": "minute", "h": "hour", "hr": "hour", "d": "day", "wk": "week",
                   "mo": "month", "yr": "year"}


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


# -- the three findings, and the arms' figures ------------------------------------------

FINDINGS = {"up": "significantly increased", "down": "significantly decreased",
            "null": "made no significant difference to"}
"""The three findings a comparison claim can state of its outcome: one of them is true."""
_UP_FINDING = re.compile(r"\b(?:increased?|raised?|elevated|prolonged|lengthened|enhanced|"
                         r"higher|greater|more)\b", re.I)
_DOWN_FINDING = re.compile(r"\b(?:decreased?|reduced?|lowered|lower|shortened|diminished|"
                           r"less|fewer)\b", re.I)
_NULL_FINDING = re.compile(r"\bno\b|\bnot\b", re.I)


def finding_kind(finding: str) -> str | None:
    """Which of :data:`FINDINGS` a comparison claim's finding words state; None for one
    whose direction depends on the outcome ("improved", "worsened")."""
    if _NULL_FINDING.search(finding):
        return "null"
    up, down = bool(_UP_FINDING.search(finding)), bool(_DOWN_FINDING.search(finding))
    return "up" if up and not down else "down" if down and not up else None


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
