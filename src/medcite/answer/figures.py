"""Which way a passage's figures go between the two arms of a comparison claim.

A passage often states a significant difference by its figures alone: "Relapse rates were
12.4% in the cefixime group and 3.4% in the gatifloxacin group (p = 0.02)", "85.2 ± 4.6 in
Endobutton and 80.5 ± 4 in Rigidfix", "the mean size with group A was 0.98 mm and group B
was 0.26 mm". :func:`figures_direction` reads such a sentence: each figure is tied to the
arm named right after it ("12.4% in the cefixime group") or right before it ("group A was
0.98 mm"); the arm is matched to the claim's intervention or comparator by the words only
one of them has (or by "group A" / "control" where the claim names it so). It answers only
when exactly one figure is tied to each arm, in the same unit, and they differ; where no
figure is tied to an arm, by the one ratio the sentence states ("OR 3.50": above 1). Figures
for two arms at several time points given "respectively" ("68.5, 41.4 and 56.8, 26.2 % in
groups A and B") answer where every point, read either way, puts the same arm above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from medcite.answer.cues import normalise, stem_of
from medcite.text.terms import root, stems

_NUMBER = r"(?<![\w.,/])(?P<value>\d+(?:\.\d+)?|none)"
_UNIT = (r"(?:\s?(?P<unit>%|(?!(?:in|with|for|at|on|among|and|or|vs|versus|of|after|the|was|"
         r"were|is|are|compared|respectively|than|to)\b)[^\W\d_]+(?:/[^\W\d_]+)?))?")
_SPREAD = r"(?:\s?±\s?\d+(?:\.\d+)?\s?%?)?(?:\s?[(\[][^()\[\]]*[)\]])?"
_WHO = r"(?:(?:of|among)\s(?:the\s)?(?:patients|participants|subjects|cases|women|men|" \
       r"children|infants)\s)?"
_END = r"(?=\s(?:and|or|versus|vs|compared|whereas|while|but|respectively|than)\b|" \
       r"\s?[,;()\[\]]|\.\s|\.?$)"
_FIGURE_THEN_ARM = re.compile(
    _NUMBER + _UNIT + _SPREAD + r"\s" + _WHO + r"(?:in|with|for|at|on|among|after|using)\s"
    r"(?:the\s)?(?P<arm>[^,;()\[\]\d]{2,60}?)" + _END, re.I)
_ARM_THEN_FIGURE = re.compile(
    r"(?:^|[,;(]\s?|\b(?:and|versus|vs|whereas|while|with|in|for)\s)(?:the\s)?"
    r"(?P<arm>[^,;()\[\]\d]{2,60}?)(?:\s(?:was|were|is|are|had|:|=)|,)\s(?:a\s|an\s)?"
    r"(?:mean\s|median\s|of\s)?" + _NUMBER + _UNIT, re.I)
_RATIO = re.compile(r"\b(?:OR|RR|IRR|(?:odds|risk|rate) ratio|relative risk)\b"
                    r"[^\d()\[\];]{0,12}?(?<![\w.])(?P<value>\d+(?:\.\d+)?)", re.I)
_LETTERED = re.compile(r"\b(?:group|arm)\s(\w+)\b", re.I)
_PLURAL_LABEL = re.compile(r"^(group|arm)s\s(\w+)$", re.I)
"""Arms lettered together ("groups A | and B")."""
CONTROL_WORDS = frozenset("control controls placebo sham usual standard conventional routine "
                          "untreated".split())
"""Words by which a passage names the comparator without its name."""
ACTIVE_WORDS = frozenset("intervention experimental treatment treated trial active study "
                         "verum".split())
"""Words by which a passage names the intervention without its name."""
MIN_SHARED = 3
"""Letters a passage's shortening of an arm word keeps ("Dex" for dexamethasone)."""


@dataclass(frozen=True)
class _Figure:
    arm: str  # "intervention" | "comparator"
    value: float
    unit: str


def figures_direction(text: str, intervention: str, comparator: str) -> int:
    """1 where ``text``'s figures put the intervention above the comparator, -1 below, 0
    where they do not tell (see the module doc)."""
    text = normalise(text)
    series = _respective_series(text, intervention, comparator)
    if series:
        return series
    found = _paired(text, intervention, comparator) or _figures(text, intervention, comparator)
    mine = [f for f in found if f.arm == "intervention"]
    theirs = [f for f in found if f.arm == "comparator"]
    if not found:
        return _ratio_direction(text)
    if len(mine) != 1 or len(theirs) != 1:
        return 0
    a, b = mine[0], theirs[0]
    if (a.unit and b.unit and _singular(a.unit) != _singular(b.unit)) or a.value == b.value:
        return 0
    return 1 if a.value > b.value else -1



def _singular(unit: str) -> str:
    """A unit without its plural "s": "17.96 mins" and "4.7 min" are in the same unit."""
    return unit[:-1] if len(unit) > 2 and unit.endswith("s") else unit


_BRACKET = re.compile(r"\s?[(\[]([^()\[\]]*)[)\]]")
_PERCENT = re.compile(r"^\s?(\d+(?:\.\d+)?)\s?%\s?$")
_P_VALUE = re.compile(r"\bp\s?(?:value\s?)?[<>=≤≥]+\s?\.?\d[\d.]*", re.I)
_FIGURE = re.compile(r"(?<![\w.,/±-])(\d+(?:\.\d+)?)(?!-[^\W\d_]|-\s)(?:\s?%)?"
                     r"(?:\s?±\s?\d+(?:\.\d+)?)?(\s?[(\[][^()\[\]]*[)\]])?")
"""A figure with its spread and bracket; not one that names a time point or a measure
("5-year", "the 2- and 5-year rates", "24-h")."""
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_BOTH = re.compile(r"\b(?:in|for|with|among|of|between)\s(?:the\s)?(?P<a>[^,;()\d]{2,40}?)\s"
                   r"and\s(?:the\s)?(?P<b>[^,;()\d]{1,40}?)(?=\s(?:groups?|arms?)\b|,|\s(?:"
                   r"was|were|respectively)\b)", re.I)
_VERSUS_ARMS = re.compile(r"(?:^|[\s(])(?P<a>[^,;()\d]{2,40}?)\s(?:versus|vs\.?|compared "
                          r"(?:with|to))\s(?:the\s)?(?P<b>[^,;()\d]{2,40}?)(?=[\s,;:()])",
                          re.I)
_VERSUS_FIGURES = re.compile(r"(?<![\w.,/])(?P<a>\d+(?:\.\d+)?)\s?(?P<ua>%|[a-z]+)?"
                             r"(?:\s?±\s?[\d.]+)?(?:\s?\([^()]*\))?\s(?:versus|vs\.?)\s"
                             r"(?P<b>\d+(?:\.\d+)?)\s?(?P<ub>%|[a-z]+)?", re.I)


def _paired(text: str, intervention: str, comparator: str) -> list[_Figure]:
    """Figures paired with arms by order: "13.8 (8.1) and 17.5 (14.5) ... for the study
    and control groups, respectively", or "VXP versus placebo ...: 82.3 vs 36.8" (read
    before the figures each tied to an arm: "respectively" reorders what follows)."""
    both = _BOTH.search(text) if _RESPECTIVELY.search(text) else None
    sides = _sides(both, intervention, comparator) if both else None
    if both and sides:
        values = _leading_figures(text[:both.start()] + " " + text[both.end():])
        if len(values) == 2:
            return [_Figure(sides[0], values[0], ""), _Figure(sides[1], values[1], "")]
    pair = _VERSUS_FIGURES.search(text)
    arms = _VERSUS_ARMS.search(text[:pair.start()]) if pair else None
    sides = _sides(arms, intervention, comparator) if arms else None
    if pair and sides:
        return [_Figure(sides[0], float(pair["a"]), (pair["ua"] or "").lower()),
                _Figure(sides[1], float(pair["b"]), (pair["ub"] or "").lower())]
    return []


def _respective_series(text: str, intervention: str, comparator: str) -> int:
    """The direction of figures given for two arms at several time points or measures, by
    "respectively" ("The 2- and 5-year rates were 68.5, 41.4 and 56.8, 26.2 % in groups A
    and B, respectively"): 1 where the intervention is above the comparator, -1 below, 0
    where they do not tell. The figures may run arm by arm (68.5, 41.4 for A) or point by
    point (68.5 for A, 41.4 for B at 2 years): it answers only where both readings put the
    same arm above at every point."""
    both = _BOTH.search(text) if _RESPECTIVELY.search(text) else None
    sides = _sides(both, intervention, comparator) if both else None
    if both is None or sides is None:
        return 0
    values = _leading_figures(text[:both.start()] + " " + text[both.end():])
    half = len(values) // 2
    if half < 2 or len(values) != 2 * half:
        return 0  # one pair is read by :func:`_paired`
    pairs = [*zip(values[:half], values[half:], strict=True),
             *zip(values[0::2], values[1::2], strict=True)]
    signs = {(a > b) - (a < b) for a, b in pairs}
    if len(signs) != 1 or 0 in signs:
        return 0
    went = signs.pop()
    return went if sides[0] == "intervention" else -went


def _sides(arms: re.Match[str], intervention: str, comparator: str) -> tuple[str, str] | None:
    """Which of the claim's arms the two arms a passage pairs ("a", "b") are, if one each
    ("groups A and B" pairs group A and group B)."""
    first, second = arms["a"], arms["b"]
    plural = _PLURAL_LABEL.match(first)
    if plural:
        first, second = f"{plural[1]} {plural[2]}", f"{plural[1]} {second}"
    a, b = (which_arm(words, intervention, comparator) for words in (first, second))
    return (a, b) if a and b and a != b else None


def _leading_figures(text: str) -> list[float]:
    """The figures of a "respectively" clause, less p values, spreads and bracketed figures
    (a bracket holding only a percentage stands for the count before it)."""
    found = []
    for m in _FIGURE.finditer(_P_VALUE.sub(" ", text)):
        inner = _BRACKET.match(m.group(2) or "")
        percent = _PERCENT.match(inner.group(1)) if inner else None
        found.append(float(percent.group(1)) if percent else float(m.group(1)))
    return found


def _ratio_direction(text: str) -> int:
    """The side of 1 of the one ratio ``text`` states ("adjusted OR 3.50"): a trial reports
    the intervention against the comparator. Not a hazard ratio: it is of the event
    (death), often where the outcome is its absence (survival)."""
    values = {float(m["value"]) for m in _RATIO.finditer(text)}
    if len(values) != 1 or 1.0 in values:
        return 0
    return 1 if values.pop() > 1 else -1


def _figures(text: str, intervention: str, comparator: str) -> list[_Figure]:
    """Figures tied to an arm, each at most once (the figure-then-arm reading first)."""
    found: dict[int, _Figure] = {}
    for pattern in (_FIGURE_THEN_ARM, _ARM_THEN_FIGURE):
        for m in pattern.finditer(text):
            at = m.start("value")
            arm = which_arm(m["arm"], intervention, comparator)
            if arm and at not in found:
                value = 0.0 if m["value"].lower() == "none" else float(m["value"])
                found[at] = _Figure(arm, value, (m["unit"] or "").lower())
    return list(found.values())


def which_arm(words: str, intervention: str, comparator: str) -> str | None:
    """Which of the claim's arms a passage's words name: "intervention", "comparator" or
    None (neither, or both)."""
    named = {side for side, arm, other in (("intervention", intervention, comparator),
                                           ("comparator", comparator, intervention))
             if _names(words, arm, other)}
    if len(named) == 1:
        return named.pop()
    lowered = set(words.lower().split())
    if named or not lowered & (CONTROL_WORDS | ACTIVE_WORDS):
        return None
    control = lowered & CONTROL_WORDS
    if control and not control & set(intervention.lower().split()):
        return "comparator"
    active = lowered & ACTIVE_WORDS
    if active and not active & set(comparator.lower().split()) and not control:
        return "intervention"
    return None


_WITHOUT = re.compile(r"\b(?:without|no|non)[\s-]+(?:(?:a|an|the|any)\s+)?([^\W\d_]{3,})|"
                      r"\bnon([^\W\d_]{4,})", re.I)


@lru_cache(maxsize=4096)
def _negated(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The stems ``text`` names as absent ("without X", "no X", "non-X", "nonX") and all
    the stems it names."""
    absent = frozenset(s for m in _WITHOUT.finditer(text)
                       if (s := stem_of((m.group(1) or m.group(2)).lower())))
    return absent, frozenset(stems(text))


def _names(words: str, arm: str, other: str) -> bool:
    """Whether ``words`` name ``arm`` by a word ``other`` lacks (or its shortening), or by
    its letter ("group A")."""
    (absent, named), (lacks, has), (lacked, _) = _negated(words), _negated(arm), _negated(other)
    if absent & (lacks - lacked) or (named - absent) & has & (lacked - lacks):
        return True  # "the non-tourniquet group" names "without tourniquet"; "the tourniquet
        # group" names "with tourniquet" against "without tourniquet"
    letters = {m.group(1).lower() for m in _LETTERED.finditer(words)}
    if letters and letters & {m.group(1).lower() for m in _LETTERED.finditer(arm)} - {
            m.group(1).lower() for m in _LETTERED.finditer(other)}:
        return True
    own = {t for t in stems(arm) if t.isalpha() and len(t) >= 2} - set(stems(other))
    own -= {s for w in CONTROL_WORDS | ACTIVE_WORDS | {"group", "arm"} if (s := stem_of(w))}
    if not own:
        return False
    said = {t for t in stems(words) if t.isalpha()}
    roots = {root(t) for t in own}
    return any(t in own or root(t) in roots or (len(t) >= MIN_SHARED and any(
        o.startswith(t) for o in own)) for t in said)
