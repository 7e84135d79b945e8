"""Numbers, doses, units, routes and frequencies in a sentence, and whether each one
appears in the passages the sentence cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "\u2009": " ", "\u00a0": " ",
                         "\u202f": " ", "·": "."})
_UNIT = (r"(?:mg/kg/day|mg/kg/d|mg/kg|mcg/kg|µg/kg|μg/kg|g/kg|mg/m2|mg/m²|mg/day|mg/d|"
         r"mg/dl|mg/dL|mmol/l|mmol/L|µmol/l|μmol/L|mEq/L|meq/l|ng/ml|ng/mL|iu/l|IU/L|U/L|"
         r"mg|mcg|µg|μg|ng|kg|g|ml|mL|l|L|IU|iu|units?|mmHg|mm Hg|%|percent|"
         r"hours?|hrs?|h|minutes?|mins?|days?|d|weeks?|wks?|months?|mo|years?|yrs?|y|"
         r"cm|mm|m|breaths/min|beats/min|bpm)")
QUANTITY = re.compile(
    r"(?<![\w.])(?P<value>\d+(?:[.,]\d+)*(?:\s*(?:-|to)\s*\d+(?:[.,]\d+)*)?)"
    rf"(?:\s*(?P<unit>{_UNIT})(?![A-Za-z]))?"
)
ROUTE = re.compile(
    r"\b((?i:intravenous(?:ly)?|i\.v\.|oral(?:ly)?|p\.o\.|intramuscular(?:ly)?|i\.m\.|"
    r"subcutaneous(?:ly)?|s\.c\.|intrathecal(?:ly)?|topical(?:ly)?|inhaled|intranasal(?:ly)?|"
    r"rectal(?:ly)?|sublingual(?:ly)?|transdermal(?:ly)?)|IV|PO|IM|SC)\b")
"""Routes; the short forms only in capitals ("IV", not the "iv" of a roman numeral)."""
FREQUENCY = re.compile(
    r"\b(every \d+(?:\s*(?:-|to)\s*\d+)? (?:hours?|days?|weeks?|months?)|q\d+h|"
    r"(?:once|twice|three times|four times)[ -](?:a |per )?(?:day|daily|week|weekly|month|"
    r"monthly)|daily|weekly|monthly|nightly|b\.?i\.?d\.?|t\.?i\.?d\.?|q\.?i\.?d\.?|q\.?d\.?|"
    r"o\.d\.?|b\.d\.?|t\.d\.s\.?|(?-i:OD|BD|TDS|QDS))(?![\w-])", re.I)
_FREQUENCY_CANON = {
    "1/day": ("once daily", "once a day", "once per day", "daily", "qd", "od", "q24h"),
    "2/day": ("twice daily", "twice a day", "twice per day", "bid", "bd", "q12h"),
    "3/day": ("three times daily", "three times a day", "three times per day", "tid", "tds",
              "q8h"),
    "4/day": ("four times daily", "four times a day", "four times per day", "qid", "qds",
              "q6h"),
    "1/wk": ("once weekly", "once a week", "once per week", "weekly"),
    "1/mo": ("once monthly", "once a month", "once per month", "monthly"),
}
"""Spellings of one frequency: "b.i.d." in a trial and "twice daily" in its abstract agree."""
_AMBIGUOUS = frozenset({"OD", "BD"})
_AFTER_DOSE = re.compile(r"\d\s*(?:mg|g|mcg|µg|μg|ml|units?|iu)\s*$", re.I)
_FREQUENCY_OF = {spelling: canon for canon, spellings in _FREQUENCY_CANON.items()
                 for spelling in spellings}

_ROUTE_CANON = {"i.v.": "iv", "intravenous": "iv", "intravenously": "iv", "p.o.": "oral",
                "po": "oral", "orally": "oral", "i.m.": "im", "intramuscular": "im",
                "intramuscularly": "im", "s.c.": "sc", "subcutaneous": "sc",
                "subcutaneously": "sc", "intrathecally": "intrathecal", "topically": "topical",
                "intranasally": "intranasal", "rectally": "rectal", "sublingually": "sublingual",
                "transdermally": "transdermal"}


@dataclass(frozen=True, slots=True)
class Fact:
    """A number (with its unit), a route or a frequency, normalised for comparison."""

    kind: str  # "quantity" | "route" | "frequency"
    value: str
    text: str


def normalise(text: str) -> str:
    return text.translate(_DASHES)


def _norm_value(value: str) -> str:
    value = re.sub(r"\s*(?:-|to)\s*", "-", value.replace(",", "") if re.search(
        r"\d,\d{3}\b", value) else value.replace(",", "."))
    return value


def _norm_unit(unit: str | None) -> str:
    if not unit:
        return ""
    unit = unit.lower().replace(" ", "").replace("μ", "µ").replace("²", "2")
    aliases = {"hours": "h", "hour": "h", "hrs": "h", "hr": "h", "days": "d", "day": "d",
               "weeks": "wk", "week": "wk", "wks": "wk", "months": "mo", "month": "mo",
               "years": "y", "year": "y", "yrs": "y", "yr": "y", "minutes": "min",
               "minute": "min", "mins": "min", "percent": "%", "units": "u", "unit": "u",
               "iu": "iu", "mg/d": "mg/day", "mg/kg/d": "mg/kg/day"}
    return aliases.get(unit, unit)


def facts(text: str) -> list[Fact]:
    """Every quantity, route and frequency stated in ``text``."""
    text = normalise(text)
    found: list[Fact] = []
    listed: list[re.Match[str]] = []
    for m in QUANTITY.finditer(text):
        value = _norm_value(m["value"])
        unit = _norm_unit(m["unit"])
        found.append(Fact("quantity", f"{value} {unit}".strip(), m.group()))
        joined = bool(listed) and _LISTED.fullmatch(text[listed[-1].end():m.start()]) is not None
        if unit:  # "10, 20 or 30 mg": the unit is each listed number's
            found += [Fact("quantity", f"{_norm_value(n['value'])} {unit}", n.group())
                      for n in (listed if joined else ())]
            listed = []
        else:
            listed = [*listed, m] if joined else [m]
    for m in ROUTE.finditer(text):
        word = m.group().lower()
        found.append(Fact("route", _ROUTE_CANON.get(word, word), m.group()))
    for m in FREQUENCY.finditer(text):
        if m.group() in _AMBIGUOUS and not _AFTER_DOSE.search(text[max(0, m.start() - 16):
                                                                   m.start()]):
            continue  # "OD" an overdose, "BD" bipolar disorder: a frequency only after a dose
        said = re.sub(r"\s+", " ", m.group().lower().replace("-", " ").replace(".", "")).strip()
        said = re.sub(r"^every (\d+) hours?$", r"q\1h", said)
        found.append(Fact("frequency", _FREQUENCY_OF.get(said, said), m.group()))
    return found


_HYPHENATED = re.compile(rf"(?<![\w.])(?P<value>\d+(?:\.\d+)?)-(?P<unit>{_UNIT})(?![A-Za-z])")
"""A quantity written as an adjective ("at 1-year", "a 6-month follow-up"): in a passage
it states the same quantity as "1 year" in a sentence (the sentence's own hyphenated
figures stay bare numbers)."""
_LISTED = re.compile(r"\s*(?:,|,?\s*(?:or|and|to|and/or))\s*")
"""What stands between the numbers of a list that share the unit after the last."""


def untraced(sentence: str, passages: list[str]) -> list[Fact]:
    """Facts of ``sentence`` that appear in none of ``passages``.

    A quantity with a unit must appear with the same unit; a bare number must appear as a
    number; routes and frequencies must appear in the same normalised form.
    """
    available: set[str] = set()
    bare: set[str] = set()
    for passage in passages:
        for fact in facts(passage):
            available.add(f"{fact.kind}:{fact.value}")
            if fact.kind == "quantity":
                bare.add(fact.value.split(" ")[0])
        available |= {f"quantity:{_norm_value(m['value'])} {_norm_unit(m['unit'])}"
                      for m in _HYPHENATED.finditer(normalise(passage))}
    missing = []
    for fact in facts(sentence):
        key = f"{fact.kind}:{fact.value}"
        if key in available:
            continue
        if fact.kind == "quantity" and " " not in fact.value and fact.value in bare:
            continue
        missing.append(fact)
    return missing


DOSE_UNITS = ("mg", "mcg", "µg", "g", "ml", "iu", "u", "mg/kg", "mg/day", "mg/kg/day", "mg/m2")


def states_dose(text: str) -> bool:
    """The text states a medicine amount ("500 mg", "10 mg/kg")."""
    return any(f.kind == "quantity" and f.value.split(" ")[-1] in DOSE_UNITS
               for f in facts(text))
