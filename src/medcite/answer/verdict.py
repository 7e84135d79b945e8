"""Verdicts: yes / no / maybe for yes-no questions, and increased / decreased /
no_difference for comparisons of two interventions on an outcome — each with the
sentence that carries it.

Rule-based and transparent. Each candidate sentence votes with a weight (how relevant it
is, whether it is a conclusion); cue patterns decide its vote. Weak or conflicting votes
give ``maybe`` (yes-no) or no verdict (comparison).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcite.retrieve.query import Comparison
from medcite.text.terms import roots, stem_set

NEGATIVE = re.compile(
    r"\b(no|not|neither|nor|without|never|none|failed to|fail to|cannot|can['’]t|won['’]t|"
    r"wouldn['’]t|shouldn['’]t|don['’]t|doesn['’]t|didn['’]t|isn['’]t|aren['’]t|unlikely|"
    r"recommends? against|recommended against|advises? against|"
    r"absence of|lack of|lacks|ineffective|did not|does not|do not|was not|were not|is not|"
    r"are not|nonsignificant|non-significant|insignificant|unrelated|independent of)\b", re.I)
HEDGE = re.compile(
    r"\b(unclear|uncertain|inconclusive|conflicting|controvers\w*|not (?:yet )?clear|"
    r"(?:further|more|larger|additional) (?:stud\w*|research|trials?|investigations?|data|"
    r"evidence) (?:is|are|will be) (?:needed|required|warranted|necessary)|"
    r"remains? to be (?:determined|established|elucidated|clarified|proven)|"
    r"(?:limited|insufficient|weak) evidence|debated|questionable)\b", re.I)
"""Doubt strong enough for "maybe". Ordinary scientific caution ("may", "suggest") is how
positive findings are reported, so it does not count."""
NO_DIFFERENCE = re.compile(
    r"(\bno (?:statistically )?significant|\bnot (?:statistically )?significant(?:ly)?|"
    r"\bdid not (?:differ|reach|show|change|improve|reduce|increase|affect)|"
    r"\bno (?:\w+ ){0,2}differences?\b|\bdid not significantly|"
    r"\b(?:similar|comparable) (?:between|in both|among|across)\b|"
    r"\b(?:were|was) (?:similar|comparable)\b|"
    r"\bno (?:\w+ ){0,3}(?:were|was) (?:reported|observed|found|detected|seen)\b|"
    r"\bwere not (?:significantly )?different|\bwas not (?:significantly )?different|"
    r"\bp\s*[>≥]\s*0?\.0[5-9]|\bp\s*[>≥]\s*0?\.[1-9]|\bp\s*=\s*0?\.(?:0[5-9]|[1-9])|"
    r"\bequivalent\b|\bnon-?inferior|\bunchanged\b|\bno effect\b|\bNS\b)", re.I)
SIGNIFICANT = re.compile(
    r"(\bsignificant(?:ly)?\b|\bp\s*[<≤]\s*0?\.0[0-5]|\bp\s*=\s*0?\.0(?:[0-4]\d*|0\d+)\b|"
    r"\bp\s*<\s*0?\.001)", re.I)
UP = re.compile(
    r"\b(higher|greater|increas\w*|more|longer|elevat\w*|larger|rais\w*|rise|rose|gain\w*|"
    r"enhanc\w*|boost\w*|prolong\w*|faster|better|later|superior|improv\w*)\b", re.I)
DOWN = re.compile(
    r"\b(lower|less|fewer|decreas\w*|reduc\w*|shorter|declin\w*|smaller|drop\w*|fell|"
    r"diminish\w*|attenuat\w*|slower|suppress\w*|lowered|prevent\w*|earlier|sooner|"
    r"inferior)\b", re.I)
BETTER = re.compile(r"better|improv\w*", re.I)
LOWER_IS_BETTER = re.compile(
    r"\b(pain|symptoms?|severity|nausea|vomiting|anxiety|depression|fatigue|mortality|"
    r"death|complications?|adverse|side effects?|disability|dyspnea|itch\w*|pruritus)\b",
    re.I)
"""Outcomes where getting better means a fall."""
GOOD = re.compile(r"improv|relief|resolution|free|control|response|remission", re.I)
CONCLUSION = re.compile(r"conclu|interpretation|summary|discussion", re.I)
FINDING = re.compile(
    r"\b(significant\w*|associat\w*|correlat\w*|predict\w*|improv\w*|increas\w*|"
    r"decreas\w*|reduc\w*|higher|lower|greater|fewer|more likely|less likely|effective\w*|"
    r"efficac\w*|benefit\w*|differ\w*|similar|comparable|changed?|showed|shown|found|"
    r"demonstrat\w*|reveal\w*|indicat\w*|confirm\w*|odds ratio|hazard ratio|relative risk|"
    r"risk of|p\s*[<=>≤≥]|OR\b|HR\b|RR\b|safe\w*|useful|accurate|sensitiv\w*|"
    r"specific\w*|play\w* a role|involved in|required for|caus\w*|inhibit\w*|"
    r"induc\w*|activat\w*|express\w*)", re.I)
"""Sentences that report a finding carry the vote on a yes-no question."""
NON_FINDING_WEIGHT = 0.1


@dataclass(frozen=True)
class Statement:
    """A sentence offered as evidence for a verdict."""

    text: str
    section: str
    relevance: float
    key: object = None  # whatever the caller uses to cite it


@dataclass(frozen=True)
class Decision:
    verdict: str | None
    evidence: Statement | None
    votes: dict[str, float]


ANTONYMS: tuple[tuple[str, str], ...] = (
    ("better", "worse"), ("better", "poor"), ("good", "poor"), ("positive", "negative"),
    ("increase", "decrease"), ("increased", "decreased"), ("higher", "lower"),
    ("more", "less"), ("upregulat", "downregulat"), ("activat", "inhibit"),
    ("promot", "suppress"), ("promot", "inhibit"), ("benign", "malignant"),
    ("improv", "worsen"), ("gain", "loss"), ("agonist", "antagonist"), ("present", "absent"),
    ("susceptible", "resistant"), ("sensitiv", "resistan"), ("dominant", "recessive"),
    ("acute", "chronic"), ("excess", "deficien"), ("overexpress", "underexpress"),
    ("hyper", "hypo"), ("protect", "harm"), ("decreases risk", "increases risk"),
)
_WORDS = re.compile(r"[a-z]+")


def contradicts(question: str, sentence: str) -> bool:
    """Whether the sentence uses the opposite of a word the question turns on ("better
    survival" asked, "poor survival" found)."""
    q, s = question.lower(), sentence.lower()
    for a, b in ANTONYMS:
        for this, that in ((a, b), (b, a)):
            if _has(q, this) and not _has(q, that) and _has(s, that) and not _has(s, this):
                return True
    return False


def _has(text: str, stem: str) -> bool:
    return any(w.startswith(stem) for w in _WORDS.findall(text)) if " " not in stem else (
        stem in text)


YES_NO_SENTENCES = 5
"""The most relevant sentences that vote on a yes-no question (more add noise)."""
VOTING_SHARE = 0.9
FULL_FLOOR = 0.95
"""Where a sentence says everything the question asks (relevance at least FULL_FLOOR), only
sentences nearly as relevant (VOTING_SHARE of it) vote: "Can COPD be cured?" is settled by
"There is no cure for COPD", not outvoted by sentences that only name COPD."""
NO_SHARE = 0.4
"""Share of the vote for "no" at which the verdict is "no"."""
MAYBE_SHARE = 0.5
"""Share of the vote for doubt at which the verdict is "maybe"."""


def yes_no(question: str, sentences: Sequence[Statement]) -> Decision:
    """yes / no / maybe from the polarity of the most relevant sentences."""
    votes = {"yes": 0.0, "no": 0.0, "maybe": 0.0}
    best: dict[str, tuple[float, Statement]] = {}
    flip = bool(re.search(r"\b(not|no|never)\b", question, re.I))
    ranked = sorted(sentences, key=lambda e: -e.relevance)[:YES_NO_SENTENCES]
    if ranked and ranked[0].relevance >= FULL_FLOOR:
        ranked = [e for e in ranked if e.relevance >= VOTING_SHARE * ranked[0].relevance]
    for ev in ranked:
        weight = ev.relevance * (1.6 if CONCLUSION.search(ev.section) else 1.0)
        if not FINDING.search(ev.text):
            weight *= NON_FINDING_WEIGHT
        if contradicts(question, ev.text):
            label = "no"
        elif HEDGE.search(ev.text) and not SIGNIFICANT.search(ev.text):
            label = "maybe"
        elif NEGATIVE.search(ev.text) or NO_DIFFERENCE.search(ev.text):
            label = "no"
        else:
            label = "yes"
        if flip and label in ("yes", "no"):
            label = "no" if label == "yes" else "yes"
        votes[label] += weight
        if label not in best or weight > best[label][0]:
            best[label] = (weight, ev)
    total = sum(votes.values())
    if total == 0:
        return Decision(None, None, votes)
    if votes["no"] / total >= NO_SHARE:
        verdict = "no"
    elif votes["maybe"] / total >= MAYBE_SHARE:
        verdict = "maybe"
    else:
        verdict = "yes"
    carrier = best.get(verdict) or max(best.values(), key=lambda b: b[0])
    return Decision(verdict, carrier[1], votes)


def direction(text: str, comparison: Comparison) -> str | None:
    """The direction one sentence reports for the intervention against the comparator."""
    anchors = _outcome_positions(text, comparison.outcome)
    same = list(NO_DIFFERENCE.finditer(text))
    changed = list(_SIGNIFICANT_CHANGE.finditer(text))
    if same and (not changed or _nearest(same, anchors) <= _nearest(changed, anchors)):
        return "no_difference"  # of two findings in a sentence, the one on the outcome
    if not SIGNIFICANT.search(text):
        return None
    ups, downs = list(UP.finditer(text)), list(DOWN.finditer(text))
    if LOWER_IS_BETTER.search(comparison.outcome) and not GOOD.search(comparison.outcome):
        # "pain improved": pain went down (but "symptom improvement" went up)
        better = [m for m in ups if BETTER.fullmatch(m.group())]
        ups = [m for m in ups if m not in better]
        downs = sorted(downs + better, key=lambda m: m.start())
    if not (ups or downs):
        return None
    if anchors and ups and downs:  # the direction word nearest the outcome decides
        up = min(min(abs(m.start() - a) for a in anchors) for m in ups)
        down = min(min(abs(m.start() - a) for a in anchors) for m in downs)
        label = "increased" if up <= down else "decreased"
    else:
        label = "increased" if ups and (not downs or ups[0].start() < downs[0].start()) \
            else "decreased"
    if _comparator_first(text, comparison):
        label = "decreased" if label == "increased" else "increased"
    return label


_SIGNIFICANT_CHANGE = re.compile(r"\bsignificant(?:ly)? (?:\w+ )?(?:higher|lower|greater|"
                                 r"more|less|fewer|reduc\w*|increas\w*|decreas\w*|improv\w*|"
                                 r"shorter|longer|better|worse)", re.I)


def _nearest(matches: list[re.Match[str]], anchors: list[int]) -> int:
    """The distance from the closest match to the closest mention of the outcome."""
    if not anchors:
        return min(m.start() for m in matches)
    return min(abs(m.start() - a) for m in matches for a in anchors)


OTHER_STUDY = re.compile(r"\bet al\b|\b(?:a|another|one|previous|earlier|recent|prior) "
                         r"(?:\w+ )?(?:study|studies|trial|trials|report)\b|\bindeed\b", re.I)
"""A discussion of someone else's study, not this trial's finding."""
COMPARE_SENTENCES = 2
"""How many of the best sentences on the outcome vote on a comparison."""
MIN_OUTCOME_SHARE = 0.1
"""Share of the outcome's terms a sentence must mention to vote."""


def compare(comparison: Comparison, sentences: Sequence[Statement]) -> Decision:
    """increased / decreased / no_difference for the intervention against the comparator
    on the outcome: the sentences that report a direction or its absence are ranked by how
    much of the outcome they name (twice as much as of the two arms) and their relevance,
    and the best :data:`COMPARE_SENTENCES` vote."""
    outcome = roots(stem_set(comparison.outcome))
    arms = roots(stem_set(comparison.intervention) | stem_set(comparison.comparator))
    votes = {"increased": 0.0, "decreased": 0.0, "no_difference": 0.0}
    if not outcome:
        return Decision(None, None, votes)
    ranked: list[tuple[float, str, Statement]] = []
    for ev in sentences:
        other_study = 0.3 if OTHER_STUDY.search(ev.text) else 1.0
        terms = roots(stem_set(ev.text))
        on_outcome = len(outcome & terms) / len(outcome)
        if on_outcome < MIN_OUTCOME_SHARE:
            continue
        label = direction(ev.text, comparison)
        if label is None:
            continue
        on_arms = len(arms & terms) / len(arms) if arms else 0.0
        ranked.append(((2.0 * on_outcome + 0.5 * on_arms + 0.5 * ev.relevance) * other_study,
                       label, ev))
    if not ranked:
        return Decision(None, None, votes)
    ranked.sort(key=lambda r: -r[0])
    for weight, label, _ in ranked[:COMPARE_SENTENCES]:
        votes[label] += weight
    verdict = max(votes, key=lambda k: votes[k])
    carrier = next(ev for _, label, ev in ranked if label == verdict)
    return Decision(verdict, carrier, votes)


def _comparator_first(text: str, comparison: Comparison) -> bool:
    """Whether the sentence puts the intervention after "than" / "compared with" ("placebo
    recipients had longer colds than zinc recipients"), which reverses the direction."""
    lowered = text.lower()
    for match in _THAN.finditer(lowered):
        after = lowered[match.end():match.end() + 30]
        if _mentions(after, comparison.intervention) and not _mentions(
                after, comparison.comparator):
            return True
    return False


_THAN = re.compile(r"\b(?:than|versus|vs\.?|compared (?:with|to)|relative to)\s+(?=[a-z(])")
"""A comparison word followed by words (not "11.9 h vs. 15.6 h")."""


def _mentions(text: str, phrase: str) -> bool:
    words = [w for w in re.findall(r"[a-z0-9]+", phrase.lower()) if len(w) > 3]
    return any(w[:6] in text for w in words)


def _outcome_positions(text: str, outcome: str) -> list[int]:
    """Where the outcome's words occur in the sentence."""
    lowered = text.lower()
    positions = []
    for word in re.findall(r"[a-z0-9]+", outcome.lower()):
        if len(word) > 3:
            positions += [m.start() for m in re.finditer(re.escape(word[:6]), lowered)]
    return positions


