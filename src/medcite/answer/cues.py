"""The words that carry a sentence's meaning beyond its topic, found by rule.

1. :func:`analyse` splits a text into word tokens, each with its content stem, clause and
   whether it sits in brackets (clauses end at punctuation and at "but", "whereas"...).
2. Cue phrases are matched on the lower-cased words: negation ("not", "recommends
   against", "contraindicated"), no-difference findings ("no significant difference",
   "p = 0.40"), significance, direction on three axes (increase / decrease; better / worse;
   faster / slower),
   strength (recommendation strength, grade and class letters, may / should / must,
   association / cause).
3. Each cue gets a *scope*: the content stems near it in its clause (negation looks ahead;
   the other cues look both ways). Checks of meaning compare cues whose scopes overlap.
4. Comparisons ("than", "compared with", "versus", "rather than", "over" after a verb of
   preference) split a sentence into the side that is more / better and the reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from medcite.text.sentences import ABBREVIATIONS
from medcite.text.terms import stems

NEGATION_SCOPE = 6
"""Content words after a negation that it governs (within its clause)."""
NEAR = 4
"""Content words either side of a direction or strength cue that anchor it."""

_TOKEN = re.compile(r"(?P<w>\d*\.\d+|\d+(?:\.\d+)?|[^\W_]+)|(?P<c>[,;:()\[\]])|(?P<s>[.!?])"
                    r"|(?P<o>[<>=≤≥])")
_CONTRACTIONS = ((re.compile(r"\bcan['’]t\b", re.I), "can not"),
                 (re.compile(r"\bwon['’]t\b", re.I), "will not"),
                 (re.compile(r"n['’]t\b", re.I), " not"),
                 (re.compile(r"\bcannot\b", re.I), "can not"),
                 (re.compile(r"\b(no|not)-(?=[^\W\d_])", re.I), "non"))
"""Contractions spelled out; "no-morphine" (an arm's name) read as "nonmorphine"."""
_DECIMAL_POINT = re.compile(r"(?<=\d)[·•∙](?=\d)")
"""A raised decimal point ("p=0·22", the Lancet's style) read as a point, not as a break
that would leave "p = 0"."""
_CLAUSE_WORDS = frozenset({"but", "whereas", "although", "though", "however", "while",
                           "yet", "except", "unless"})
_CHARS = str.maketrans({"–": "-", "—": "-", "‑": "-", "‐": "-", "−": "-", "’": "'", "‘": "'",
                        "“": '"', "”": '"', "*": " ", "_": " ", "#": " ", "|": " ", "`": " ",
                        "\u00a0": " ", "\u2009": " ", "\u202f": " "})


@dataclass(frozen=True, slots=True)
class Token:
    word: str
    """Lower-cased word (numbers as written; comparison signs as themselves)."""
    stem: str | None
    """Content stem, or None for function words, numbers and signs."""
    clause: int
    bracket: bool
    sentence: int


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str  # neg | null | sig | dir | strength | grade | class | modal | causal
    value: str
    """The cue's reading: "+" / "-" for direction (axis in ``axis``), a level or letter."""
    start: int
    end: int
    """Token positions, end exclusive."""
    scope: frozenset[str]
    axis: str = ""
    negated: bool = False
    """Inside the scope of a negation ("did not reduce")."""

    @property
    def text(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Comparison:
    """A comparison in a sentence: the stems of the favoured side and of the reference."""

    subject: frozenset[str]
    reference: frozenset[str]
    start: int
    kind: str  # than | compared | preference | arms (a comparison claim's parsed arms)
    arm: tuple[int, int] = (0, 0)
    """Token span of the reference arm ("placebo" in "compared with placebo")."""


@dataclass(frozen=True)
class Analysis:
    text: str
    tokens: tuple[Token, ...]
    cues: tuple[Cue, ...]
    comparisons: tuple[Comparison, ...]

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(t.stem for t in self.tokens if t.stem)

    def phrase(self, cue: Cue) -> str:
        return " ".join(t.word for t in self.tokens[cue.start:cue.end])

    def clause_of(self, cue: Cue) -> str:
        """The words of the clause a cue sits in."""
        clause = self.tokens[cue.start].clause
        return " ".join(t.word for t in self.tokens if t.clause == clause)

    def of(self, *kinds: str) -> list[Cue]:
        """Cues of these kinds, less those inside a comparison's reference arm ("compared
        with no treatment" names an arm; it negates nothing)."""
        arms = [c.arm for c in self.comparisons]
        return [c for c in self.cues if c.kind in kinds
                and not any(s <= c.start < e for s, e in arms)]


# -- the cue lexicon ------------------------------------------------------------------------

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NEGATIONS = [_words(p) for p in (
    "not", "no", "never", "without", "none", "neither", "nor", "nothing", "nobody",
    "fail to", "fails to", "failed to", "failure to", "lack of", "lacks", "lacked",
    "absence of", "no longer", "insufficient", "inadequate", "inconclusive")]
NEGATIVE_WORDS = [_words(p) for p in (
    "recommend against", "recommends against", "recommended against", "recommending against",
    "advise against", "advises against", "advised against", "suggest against",
    "suggests against", "argue against", "argues against", "caution against",
    "strong against", "weak against", "conditional against", "contraindicated",
    "contraindication", "contraindications", "ineffective", "unsafe", "inappropriate",
    "inadvisable", "avoid", "avoided", "avoiding", "avoidance", "prohibited", "discouraged")]
"""Negative in themselves; their scope reaches back to what they are said of."""
NOT_NEGATION = [_words(p) for p in (
    "not only", "whether or not", "with or without", "no more than", "no less than",
    "not more than", "not less than", "no later than", "not later than", "if not",
    "no fewer than", "not fewer than")]
NULL_PHRASES = [_words(p) for p in (
    "no significant", "no statistically significant", "not significant",
    "not statistically significant", "not significantly", "not statistically significantly",
    "no difference", "no differences", "no change", "no changes", "no effect", "no effects",
    "no significant difference", "not different", "not differ", "did not differ",
    "does not differ", "do not differ", "did not significantly", "does not significantly",
    "do not significantly", "was not significantly", "were not significantly",
    "nonsignificant", "non significant", "insignificant", "nonsignificantly",
    "non significantly", "insignificantly", "insignificance", "similar", "comparable",
    "unchanged", "no association", "not associated", "equivalent", "noninferior",
    "non inferior", "ns", "n s", "no evidence", "did not change", "did not alter",
    "as effective as",
    "as safe as", "as efficacious as", "no substantial difference", "no substantial differences",
    "no meaningful difference", "no meaningful differences", "no statistical difference",
    "no statistically difference", "no statistical differences", "not statistically different",
    "did not reach significance", "did not reach statistical significance",
    "failed to reach significance", "failed to reach statistical significance",
    "not reach significance", "not reach statistical significance",
    "failed to achieve significance", "failed to achieve statistical significance",
    "did not achieve significance", "did not achieve statistical significance",
    "not achieve significance", "not achieve statistical significance", "not affect",
    "not to affect", "not influence", "not to influence", "no impact", "no influence",
    "not alter", "not affected", "not influenced", "not altered", "unaffected",
    "no between group difference", "no between group differences",
    "distributed equally", "equally distributed", "equally effective", "equally efficacious",
    "equally safe", "equal in both", "equal in the two", "equal in all", "equal between",
    "equal across", "equal among")]
FADED_PHRASES = [_words(p) for p in (
    "difference was not maintained", "differences were not maintained",
    "effect was not maintained", "effects were not maintained",
    "difference was not sustained", "differences were not sustained",
    "effect was not sustained", "effects were not sustained",
    "difference was lost", "differences were lost", "effect was lost", "effects were lost",
    "difference disappeared", "differences disappeared", "effect disappeared",
    "effects disappeared", "difference did not persist", "differences did not persist",
    "effect did not persist", "effects did not persist")]
"""A difference or effect said to fade ("the difference was not maintained at 6 months",
"this effect disappeared by week 12"): no difference at the time the sentence goes on to
name, a finding of no difference like "no longer significant"."""
SIGNIFICANT = [_words(p) for p in ("significant", "significantly", "statistically significant")]
_UP_MAG = ("increase increases increased increasing increment higher high highest more greater "
           "greatest rise rises rose risen rising elevated elevation elevate elevates raise "
           "raised raises raising gain gains gained larger largest longer exceed exceeds "
           "exceeded augmented boosted enhanced enhances prolonged upregulated accelerated "
           "excess excessive above maximum")
_DOWN_MAG = ("decrease decreases decreased decreasing lower lowered lowering lowers low lowest "
             "less least fewer fewest reduce reduces reduced reducing reduction reductions "
             "decline declines declined declining drop drops dropped fall falls fell fallen "
             "diminish diminished diminishes loss losses lose lost smaller smallest shorter "
             "shortened suppressed suppresses attenuated attenuates lessened downregulated "
             "shrink shrank below minimum")
_UP_VAL = ("improve improves improved improving improvement improvements better best benefit "
           "benefits benefited beneficial superior favorable favourable advantage advantages "
           "advantageous preferred prefer prefers preferable")
_DOWN_VAL = ("worsen worsens worsened worsening worse worst harm harms harmed detrimental "
             "inferior unfavorable unfavourable deteriorate deteriorated deterioration "
             "disadvantage disadvantages")
_UP_SPD = "faster quicker earlier sooner"
_DOWN_SPD = "slower"
"""Speed, an axis of its own: "faster" is more of a speed but less of a time."""
DIRECTIONS: dict[str, tuple[str, str]] = {
    **{w: ("mag", "+") for w in _UP_MAG.split()}, **{w: ("mag", "-") for w in _DOWN_MAG.split()},
    **{w: ("val", "+") for w in _UP_VAL.split()}, **{w: ("val", "-") for w in _DOWN_VAL.split()},
    **{w: ("spd", "+") for w in _UP_SPD.split()}, **{w: ("spd", "-") for w in _DOWN_SPD.split()},
}
NOT_DIRECTION = [_words(p) for p in (
    "at least", "at most", "more or less", "no more", "high quality", "low quality",
    "lower extremity", "lower extremities", "lower limb", "lower limbs", "lower back",
    "lower urinary", "lower respiratory", "lower gastrointestinal", "lower abdominal",
    "high income", "low income", "middle income", "benefits and harms", "harms and benefits",
    "benefit and harm", "harm and benefit", "more than one", "less common", "more common")]
"""Fixed phrases whose direction words are names, not claims ("lower urinary tract")."""
STRENGTHS = {("strong",): "strong", ("strongly",): "strong", ("conditional",): "conditional",
             ("conditionally",): "conditional", ("weak",): "conditional",
             ("weakly",): "conditional"}
MODALS: dict[tuple[str, ...], str] = {
    **{(w,): "1" for w in "may might can could consider considered optional suggest suggests "
       "suggested reasonable".split()},
    **{(w,): "2" for w in "should recommend recommends recommended advise advises advised "
       "indicated".split()},
    **{(w,): "3" for w in "must required requires require mandatory mandates always "
       "essential".split()},
    ("should", "consider"): "1", ("should", "be", "considered"): "1",
    ("can", "be", "considered"): "1", ("is", "reasonable"): "1",
    ("strongly", "recommended"): "3", ("strongly", "recommends"): "3",
    ("strongly", "recommend"): "3", ("is", "required"): "3",
}
"""May (1), should (2), must (3)."""
CAUSAL: dict[tuple[str, ...], str] = {
    **{(w,): "cause" for w in "cause causes caused causing induces induced induce".split()},
    ("leads", "to"): "cause", ("lead", "to"): "cause", ("led", "to"): "cause",
    ("results", "in"): "cause", ("resulted", "in"): "cause", ("result", "in"): "cause",
    **{(w,): "association" for w in "associated association associations correlated "
       "correlation correlates linked related".split()}}
COMPARE_AFTER = [_words(p) for p in (
    "than", "compared with", "compared to", "in comparison with", "in comparison to",
    "versus", "vs", "relative to", "rather than", "instead of", "in preference to",
    "when compared with", "when compared to", "as compared with", "as compared to")]
PREFERENCE_VERBS = ("recommend", "prefer", "favor", "favour", "chosen", "choos", "select",
                    "suggest", "use", "priorit")
"""Stem prefixes after which "over" introduces the less favoured option."""
NEGATION_WORDS = frozenset(
    "not no never without none neither nor nothing nobody against contraindicated "
    "contraindication contraindications ineffective unsafe inappropriate inadvisable avoid "
    "avoided avoiding avoidance prohibited discouraged fail fails failed lack lacks lacked "
    "absence absent unable insufficient inadequate inconclusive".split())
"""Words that negate by themselves, for comparing a sentence with its near copy."""
MODAL_WORDS = {words[0]: level for words, level in MODALS.items() if len(words) == 1}
STRENGTH_WORDS = {words[0]: value for words, value in STRENGTHS.items()}
CAUSE_WORDS = frozenset(w for words, v in CAUSAL.items() if v == "cause" for w in words
                        if w not in ("to", "in", "lead", "leads", "led", "result", "results",
                                     "resulted"))
ASSOCIATION_WORDS = frozenset(words[0] for words, v in CAUSAL.items() if v == "association")
DOSE_WORDS = frozenset("dose doses dosage dosages dosing amount amounts unit units mg g "
                       "mcg ml".split())
"""Words after which "equivalent" names an amount ("equivalent doses"), not a finding."""
EQUIVALENT_OF = frozenset("morphine opioid opiate mso4 oral metabolic hydrocortisone "
                          "prednisone prednisolone dexamethasone diazepam oxycodone "
                          "fentanyl caloric energy".split())
"""Words before "equivalent" that make it a unit ("MSO4 equivalent", "morphine
equivalent"), like any word with a figure in it."""


def _unit_equivalent(cue: tuple[int, int, str, str], words: list[str]) -> bool:
    """Whether a "equivalent" cue names a unit or an amount ("narcotic use in MSO4
    equivalent", "equivalent doses"): a finding of no difference says what is equivalent
    to what, not what an amount is measured in."""
    start, end, kind, _ = cue
    if kind != "null" or words[start:end] != ["equivalent"]:
        return False
    before = words[start - 1] if start else ""
    after = words[end] if end < len(words) else ""
    return after in DOSE_WORDS or before in EQUIVALENT_OF or any(c.isdigit() for c in before)


_TO_COMPARATIVES = frozenset("superior inferior preferable preferred equivalent noninferior "
                             "similar comparable".split())
"""Words after which "to" introduces the reference arm ("A was superior to B")."""
_ARM_ENDS = frozenset("for regarding at on during after before by from to when where whereas "
                      "while as because since if unless given in with among who which "
                      "that was were is are has have had did does showed shows".split())
_GENERIC_ARMS = frozenset(found[0] for w in "patients participants subjects group groups women "
                          "men children people persons individuals those adults infants "
                          "students pupils respondents volunteers users".split()
                          if (found := stems(w)))
"""Words that name no arm by themselves: "participants in Mobile conditions", "women who
received meperidine" go on past the preposition."""
"""Words that end a comparison's reference arm once it has named something ("than
Easyhaler | for the quality of instructions", "versus placebo | were not different")."""
_GRADE_LETTERS = frozenset("abcdi")
_CLASS_LETTERS = frozenset({"i", "ii", "iia", "iib", "iii", "1", "2a", "2b", "3"})


def _matcher(patterns: list[tuple[tuple[str, ...], str, str]]) -> dict[str, list]:
    by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    for words, kind, value in sorted(patterns, key=lambda p: -len(p[0])):
        by_first.setdefault(words[0], []).append((words, kind, value))
    return by_first


_PATTERNS = _matcher(
    [(p, "not_neg", "") for p in NOT_NEGATION]
    + [(p, "not_dir", "") for p in NOT_DIRECTION]
    + [(p, "null", "null") for p in NULL_PHRASES + FADED_PHRASES]
    + [(p, "neg", "before") for p in NEGATIVE_WORDS]
    + [(p, "neg", "after") for p in NEGATIONS]
    + [(p, "sig", "sig") for p in SIGNIFICANT]
    + [((w,), "dir", f"{axis}{sign}") for w, (axis, sign) in DIRECTIONS.items()]
    + [(p, "strength", v) for p, v in STRENGTHS.items()]
    + [(p, "modal", v) for p, v in MODALS.items()]
    + [(p, "causal", v) for p, v in CAUSAL.items()]
    + [(p, "compare", "") for p in COMPARE_AFTER]
)


# -- analysis -------------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def stem_of(word: str) -> str | None:
    """The content stem of one word (None for function words and numbers)."""
    if not any(c.isalpha() for c in word):
        return None
    found = stems(word)
    return found[0] if found else None


def normalise(text: str) -> str:
    """Dashes, quotes and Markdown emphasis made plain; contractions spelled out."""
    text = _DECIMAL_POINT.sub(".", text.translate(_CHARS))
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return text


def _ends_sentence(text: str, at: int) -> bool:
    """Whether the stop ending at ``at`` ends a sentence (not "e.g." or "vs.")."""
    if at < len(text) and not text[at].isspace():
        return False
    word = re.search(r"[A-Za-z][A-Za-z.]*$", text[max(0, at - 12):at - 1])
    before = word.group().rstrip(".").lower() if word else ""
    return before not in ABBREVIATIONS and len(before) != 1


def tokens_of(text: str) -> tuple[Token, ...]:
    """Word tokens with their clause (brackets hold clauses of their own; the clause around
    a bracket goes on after it), bracket depth and sentence."""
    found: list[Token] = []
    clause, sentence, opened = 0, 0, 0
    outer: list[int] = []
    for m in _TOKEN.finditer(normalise(text)):
        if m["w"]:
            word = m["w"].lower()
            if word in _CLAUSE_WORDS:
                opened += 1
                clause = opened
            found.append(Token(word, stem_of(word), clause, bool(outer), sentence))
        elif m["o"]:
            found.append(Token(m["o"], None, clause, bool(outer), sentence))
        else:
            mark = m["c"] or m["s"]
            if mark in "([":
                outer.append(clause)
            elif mark in ")]":
                if outer:
                    clause = outer.pop()
                    continue
            elif mark in ".!?" and _ends_sentence(m.string, m.end()):
                sentence += 1
                outer.clear()
            opened += 1
            clause = opened
    return tuple(found)


@lru_cache(maxsize=8192)
def analyse(text: str) -> Analysis:
    """Tokens, cues and comparisons of ``text`` (cached: passages are analysed once)."""
    tokens = tokens_of(text)
    words = [t.word for t in tokens]
    raw: list[tuple[int, int, str, str]] = []
    i = 0
    while i < len(words):
        for pattern, kind, value in _PATTERNS.get(words[i], ()):
            if tuple(words[i:i + len(pattern)]) == pattern:
                raw.append((i, i + len(pattern), kind, value))
                i += len(pattern) - 1 if kind in ("not_neg", "not_dir") else 0
                break
        i += 1
    raw = _graded_subjects(_compounds(raw, words), tokens)
    raw += _grades(words)
    raw += _p_values(words)
    raw = [r for r in raw if not _unit_equivalent(r, words)]
    cues = _scoped(tokens, raw)
    return Analysis(text, tokens, tuple(cues), tuple(_comparisons(tokens, raw)))


COMPARATIVES = frozenset("greater larger bigger more higher less lower smaller fewer".split())
"""Words that grade a change ("greater reductions", "a smaller increase")."""
CHANGE_WORDS = frozenset("increase increases rise rises gain gains elevation reduction reductions "
                         "decrease decreases decline declines drop drops fall falls loss losses "
                         "improvement improvements worsening deterioration".split())
"""Changes a comparative can grade."""


GRADED_GAP = 2
"""Words a comparative may stand apart from the change it grades ("greater weight loss",
"a larger blood pressure reduction")."""
GAP_CHANGE_WORDS = CHANGE_WORDS - frozenset("fall falls drop drops".split())
"""Changes a comparative grades across words: not those that are also events ("fewer
injurious falls" counts falls) or things ("eye drops")."""


def _compounds(raw: list[tuple[int, int, str, str]], words: list[str]
               ) -> list[tuple[int, int, str, str]]:
    """A graded change read as one direction, the product of both ("greater reductions" is a
    decrease, "a smaller increase" a decrease, "less loss" an increase, "greater weight loss"
    a decrease), not as two."""
    dirs = {s: (e, v) for s, e, k, v in raw if k == "dir"}
    starts = {s for s, _, _, _ in raw}
    merged: dict[int, tuple[int, int, str, str]] = {}
    gone: set[int] = set()
    for s, (e, value) in dirs.items():
        if words[s] not in COMPARATIVES or s in gone:
            continue
        at = _graded_change(words, e, dirs, starts)
        if at is not None:
            end, change = dirs[at]
            sign = "+" if (value[3] == "+") == (change[3] == "+") else "-"
            merged[s] = (s, end, "dir", change[:3] + sign)
            gone.add(at)
    for s, (e, value) in dirs.items():
        at = _trailing_grade(words, s, e, dirs)
        if at is not None and s not in gone and at not in gone and s not in merged:
            sign = "+" if (value[3] == "+") == (words[at] == "more") else "-"
            merged[s] = (s, at + 1, "dir", value[:3] + sign)
            gone.add(at)
    return [merged.get(r[0], r) if r[2] == "dir" else r for r in raw
            if not (r[2] == "dir" and r[0] in gone)]


SUBJECT_GAP = 16
"""Words a change named as a sentence's subject may stand from the comparative that grades
it ("The decrease in pain score during distension | was significantly greater")."""
_COPULAS = frozenset("was were is are".split())
SUBJECT_CHANGES = frozenset("increase increases rise rises elevation reduction reductions "
                            "decrease decreases decline declines".split())
"""Changes of amount a predicate grades; not "fall"/"drop" (also events: "the fall risk"),
"loss"/"gain" or "improvement" (often the outcome's own name: "weight loss was greater")."""


def _graded_subjects(raw: list[tuple[int, int, str, str]], tokens: tuple[Token, ...]
                     ) -> list[tuple[int, int, str, str]]:
    """A change named as the subject, graded by the predicate, read as one direction: "The
    decrease in pain score was significantly greater in the X group" is a decrease with X,
    "the rise in A1c was smaller" a decrease — where the subject starts its clause and the
    comparative follows "was"/"were" (and adverbs) in the same sentence, with no other
    direction word between them."""
    dirs = sorted(r for r in raw if r[2] == "dir")
    merged: dict[int, tuple[int, int, str, str]] = {}
    gone: set[int] = set()
    for n, (s, e, _, value) in enumerate(dirs):
        if tokens[s].word not in SUBJECT_CHANGES or e - s != 1 or \
                (s > 0 and tokens[s - 1].word not in ("the", "a", "this", "that", "mean")):
            continue
        later = [r for r in dirs[n + 1:] if r[0] - s <= SUBJECT_GAP and
                 tokens[r[0]].sentence == tokens[s].sentence]
        if not later or tokens[later[0][0]].word not in COMPARATIVES:
            continue
        at = later[0][0]
        i = at - 1
        while i > s and tokens[i].word.endswith("ly"):
            i -= 1
        if tokens[i].word not in _COPULAS:
            continue
        sign = "+" if (later[0][3][3] == "+") == (value[3] == "+") else "-"
        merged[s] = (s, e, "dir", value[:3] + sign)
        gone.add(at)
    return [merged.get(r[0], r) if r[2] == "dir" else r for r in raw
            if not (r[2] == "dir" and r[0] in gone)]


CHANGE_VERBS = frozenset("increased decreased reduced rose fell declined dropped improved "
                         "worsened".split())
"""Changes a following "less" or "more" grades ("decreased significantly less")."""
TRAILING_GRADES = frozenset({"less", "more"})
GRADE_ENDS = frozenset("in than with among for at after during from".split())
"""Words after a trailing "less" / "more" that show it grades the change before it ("less
in the EMS group"), not a count ("more patients")."""


def _trailing_grade(words: list[str], start: int, end: int,
                    dirs: dict[int, tuple[int, str]]) -> int | None:
    """Where a "less" or "more" that grades the change at ``start`` stands ("the CSD
    decreased significantly less in the EMS group": an increase against the other arm;
    "increased more than": an increase): right after the change or after adverbs
    ("significantly"), followed by a preposition or the end of the clause."""
    if words[start] not in CHANGE_VERBS or end - start != 1:
        return None
    i = end
    while i < len(words) and i - end < GRADED_GAP and words[i].endswith("ly"):
        i += 1
    if i not in dirs or words[i] not in TRAILING_GRADES:
        return None
    after = words[i + 1] if i + 1 < len(words) else ""
    return i if after in GRADE_ENDS or not any(c.isalnum() for c in after) else None


def _graded_change(words: list[str], at: int, dirs: dict[int, tuple[int, str]],
                   starts: set[int]) -> int | None:
    """Where the change a comparative ending at ``at`` grades starts: right after it, or
    after at most :data:`GRADED_GAP` plain content words that name what changed."""
    for gap in range(GRADED_GAP + 1):
        i = at + gap
        if i in dirs and words[i] in (CHANGE_WORDS if gap == 0 else GAP_CHANGE_WORDS):
            return i
        if i >= len(words) or i in starts or not words[i].isalpha() or \
                stem_of(words[i]) is None:
            return None
    return None


def _grades(words: list[str]) -> list[tuple[int, int, str, str]]:
    """Grade letters ("grade B", "B recommendation") and classes ("class IIa")."""
    found = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word == "grade" and nxt in _GRADE_LETTERS:
            found.append((i, i + 2, "grade", nxt.upper()))
        elif word in _GRADE_LETTERS and nxt in ("recommendation", "grade") and \
                (i == 0 or words[i - 1] not in ("grade", "class")):
            found.append((i, i + 2, "grade", word.upper()))
        elif word == "class" and nxt in _CLASS_LETTERS:
            found.append((i, i + 2, "class", nxt.upper()))
    return found


P_WORDS = frozenset({"value", "values"})
"""Words between "p" and its sign ("p value = 0.03")."""


def _p_values(words: list[str]) -> list[tuple[int, int, str, str]]:
    """``p < 0.05`` and kin: significant below 0.05, a null finding at or above it. A value
    with no sign ("(P 0.51)") is read as "=": a p value is a probability, so one below 1."""
    found = []
    for i, word in enumerate(words[:-1]):
        if word != "p":
            continue
        at = i + 1
        while at < len(words) and words[at] in P_WORDS:
            at += 1
        sign = words[at] if at < len(words) and words[at] in "<>=≤≥" else ""
        end = at + 1 if sign else at
        if end >= len(words):
            continue
        try:
            value = float(words[end])
        except ValueError:
            continue
        if not sign and not 0 <= value < 1:
            continue
        sign = sign or "="
        if (sign in "<≤=" and value <= 0.05):
            found.append((i, end + 1, "sig", "p"))
        elif (sign in ">≥" and value >= 0.05) or (sign == "=" and value > 0.05):
            found.append((i, end + 1, "null", "p"))
    return found


def _scoped(tokens: tuple[Token, ...], raw: list[tuple[int, int, str, str]]) -> list[Cue]:
    """Cues with their scopes; negation marks the cues it governs."""
    cues: list[Cue] = []
    blocked = [(s, e) for s, e, k, _ in raw if k in ("not_neg", "not_dir")]
    nulls = [(s, e) for s, e, k, _ in raw if k == "null"]

    def inside(spans: list[tuple[int, int]], s: int, e: int) -> bool:
        return any(a <= s and e <= b for a, b in spans)

    negations: list[Cue] = []
    for s, e, kind, value in raw:
        if kind in ("not_neg", "not_dir", "compare") or inside(blocked, s, e):
            continue
        if kind in ("neg", "dir", "sig") and inside(nulls, s, e):
            continue  # "not significant" is a finding of no difference, judged as such
        if kind in ("null", "sig") and value == "p":
            cues.append(Cue(kind, value, s, e, _reported(tokens, s, raw)))
        elif kind in ("null", "sig"):  # a finding is about its whole sentence
            cues.append(Cue(kind, value, s, e, _sentence(tokens, s)))
        elif kind == "neg":
            scope = _after(tokens, e, NEGATION_SCOPE) if value == "after" else \
                _around(tokens, s, e, NEAR)
            if value == "after" and not scope:
                scope = _before(tokens, s, NEAR)
            negations.append(Cue("neg", value, s, e, scope))
        elif kind == "dir":
            named = frozenset(_content(tokens, range(s, e)))  # "greater weight loss"
            cues.append(Cue("dir", value[3], s, e, _around(tokens, s, e, NEAR) | named,
                            axis=value[:3]))
        elif kind in ("grade", "class", "strength"):
            cues.append(Cue(kind, value, s, e, _sentence(tokens, s)))
        else:
            cues.append(Cue(kind, value, s, e, _around(tokens, s, e, NEAR)))
    governing = [(n.start, n.end) for n in negations if n.value == "after"] + [
        (s, e) for s, e in nulls if tokens[s].word in ("no", "not", "did", "does", "do", "was",
                                                       "were")]
    marked = []
    for cue in cues:
        negated = any(e <= cue.start <= e + NEGATION_SCOPE + 2 and
                      tokens[s].clause == tokens[cue.start].clause for s, e in governing)
        marked.append(Cue(cue.kind, cue.value, cue.start, cue.end, cue.scope, cue.axis, negated))
    return sorted(negations + marked, key=lambda c: c.start)


def _content(tokens: tuple[Token, ...], positions: range) -> list[str]:
    """Content stems at ``positions``; direction words are cues, not what cues are about."""
    return [stem for i in positions
            if (stem := tokens[i].stem) is not None and tokens[i].word not in DIRECTIONS]


def _clause(tokens: tuple[Token, ...], at: int, positions: range) -> list[int]:
    """The positions of ``positions`` (walking away from ``at``) in the clause of token
    ``at``, stepping over brackets inside it."""
    clause, inside = tokens[at].clause, tokens[at].bracket
    found = []
    for i in positions:
        if tokens[i].clause == clause:
            found.append(i)
        elif not (tokens[i].bracket and not inside):
            break
    return found


def _after(tokens: tuple[Token, ...], e: int, n: int) -> frozenset[str]:
    if e >= len(tokens):
        return frozenset()
    return frozenset([
        stem for i in _clause(tokens, e - 1, range(e, len(tokens)))
        if (stem := tokens[i].stem) is not None and tokens[i].word not in DIRECTIONS][:n])


def _before(tokens: tuple[Token, ...], s: int, n: int) -> frozenset[str]:
    found = [stem for i in _clause(tokens, s, range(s - 1, -1, -1))
             if (stem := tokens[i].stem) is not None and tokens[i].word not in DIRECTIONS]
    return frozenset(found[:n])


def _around(tokens: tuple[Token, ...], s: int, e: int, n: int) -> frozenset[str]:
    return _before(tokens, s, n) | _after(tokens, e, n)


def _reported(tokens: tuple[Token, ...], s: int,
              raw: list[tuple[int, int, str, str]]) -> frozenset[str]:
    """What a p value reports on: the content words before it, back to the previous p value
    (or the sentence start)."""
    sentence = tokens[s].sentence
    start = max([e for a, e, _, v in raw if v == "p" and e <= s] + [0])
    found = [t.stem for t in tokens[start:s] if t.stem and t.sentence == sentence
             and t.word != "p"]
    return frozenset(found[-2 * NEGATION_SCOPE:])


def _sentence(tokens: tuple[Token, ...], s: int) -> frozenset[str]:
    sentence = tokens[s].sentence
    return frozenset(t.stem for t in tokens if t.sentence == sentence and t.stem)


def _ends_arm(tokens: tuple[Token, ...], i: int) -> bool:
    """Whether token ``i`` ends a comparison's reference arm: a preposition or conjunction
    that starts what is said of it, or "and" before a new noun phrase ("than in the control
    group | and an overall downward trend")."""
    if tokens[i].word in _ARM_ENDS:
        return True  # "than in the control group | in week 8"
    return tokens[i].word == "and" and i + 1 < len(tokens) and \
        tokens[i + 1].word in ("a", "an", "the", "this", "these", "that", "there", "it")


def _comparisons(tokens: tuple[Token, ...],
                 raw: list[tuple[int, int, str, str]]) -> list[Comparison]:
    """Each comparison marker splits its sentence: the reference is what follows the marker
    up to the end of its clause; the favoured side is the rest of the sentence."""
    found: list[Comparison] = []
    markers = [(s, e, " ".join(t.word for t in tokens[s:e])) for s, e, k, _ in raw
               if k == "compare"]
    for i, token in enumerate(tokens):
        if token.word == "to" and i > 0 and tokens[i - 1].word in _TO_COMPARATIVES:
            markers.append((i, i + 1, "to"))
        if token.word == "over" and i > 0 and any(
                (t.stem or "").startswith(PREFERENCE_VERBS) for t in tokens[max(0, i - 4):i]):
            markers.append((i, i + 1, "over"))
    for s, e, word in markers:
        if e >= len(tokens) or not any(c.isalpha() for c in tokens[e].word):
            continue  # "4 versus 5.5": numbers, not arms
        clause = tokens[e].clause if tokens[s].clause != tokens[e].clause else tokens[s].clause
        stop, named = e, False
        while stop < len(tokens) and tokens[stop].clause == clause and not (
                named and _ends_arm(tokens, stop)):
            named = named or (tokens[stop].stem or "") not in ("", *_GENERIC_ARMS)
            stop += 1
        reference = frozenset(t.stem for t in tokens[e:stop] if t.stem)
        sentence = tokens[s].sentence
        end = stop
        while end < len(tokens) and tokens[end].clause == clause:
            end += 1
        while end < len(tokens) and tokens[end].bracket and not tokens[s].bracket:
            end += 1  # "compared with sham (control group)": the bracket names the arm too
        reference |= frozenset(t.stem for t in tokens[stop:end] if t.stem and t.bracket)
        subject = frozenset(t.stem for j, t in enumerate(tokens) if t.stem and
                            t.sentence == sentence and not s <= j < end)
        kind = "than" if word in ("than", "to") else "preference" if word in (
            "over", "rather than", "instead of", "in preference to") else "compared"
        found.append(Comparison(subject - reference, reference - subject, s, kind, (e, stop)))
    return found
