"""``medcite bench verify``: how often the verifier rejects sentences whose meaning was
changed and accepts faithful ones, beside the words-and-numbers check it replaced.

The claims are built at run time (``bench/verify_claims.py``). Figures: per change kind the
share rejected, per faithful edit the share accepted, each for medcite and the baseline;
reason codes given for changed claims; claims checked per second.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from medcite.answer.entities import Lexicon
from medcite.answer.lexicon import TermLexicon
from medcite.answer.numbers import untraced
from medcite.answer.verify import MIN_SUPPORT, check_sentence, reason_list
from medcite.bench.verify_claims import (
    Claim,
    drug_names,
    edits,
    sentence_claims,
    source_sentences,
    trial_claims,
)
from medcite.ingest.jsonl import read_drugs, read_mesh
from medcite.models import VocabTerm
from medcite.text.terms import stems

Progress = Callable[[int, int], None]
EXAMPLES = 5


def baseline_check(text: str, passages: Sequence[str]) -> bool:
    """The verifier before checks of meaning: 80% of the sentence's content terms in the
    cited passages, and every number, dose, unit, route and frequency traced."""
    terms = stems(text)
    if not passages or not terms:
        return False
    available: set[str] = set()
    for passage in passages:
        available.update(stems(passage))
    support = sum(1 for t in terms if t in available) / len(terms)
    return support >= MIN_SUPPORT and not untraced(text, list(passages))


def load_lexicon(data_dir: Path) -> TermLexicon:
    """Drug names and MeSH conditions from the shared vocabulary files."""
    vocab = data_dir / "vocab"
    terms = [t for reader, name in ((read_drugs, "drug_synonyms.jsonl.gz"),
                                    (read_mesh, "mesh2024_descriptors.jsonl.gz"))
             for t in reader(vocab / name) if isinstance(t, VocabTerm)]
    return TermLexicon(terms)


def build_claims(data_dir: Path, limit: int, lexicon: Lexicon | None, seed: int = 13
                 ) -> list[Claim]:
    """Trial claims for ``limit`` Evidence Inference questions, and edits of ``limit``
    guideline and ``limit`` abstract sentences."""
    rng = random.Random(seed)
    drugs, brands = drug_names(data_dir / "vocab" / "drug_synonyms.jsonl.gz")
    table = edits(lexicon, drugs, brands)
    claims = list(trial_claims(data_dir, limit))
    for source, name in (("guideline", "guidelines.jsonl.gz"), ("abstract", "research.jsonl.gz")):
        pairs = list(source_sentences(data_dir / "corpus" / name, limit, 2, rng))
        claims += sentence_claims(source, pairs, table, rng)
    return claims


def run_verify(data_dir: Path, limit: int, use_lexicon: bool = True,
               progress: Progress | None = None) -> dict[str, Any]:
    lexicon = load_lexicon(data_dir) if use_lexicon else None
    claims = build_claims(data_dir, limit, lexicon)
    tally: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    examples: dict[str, list[dict[str, Any]]] = {"false_rejections": [], "missed_changes": []}
    spent = 0.0
    for i, claim in enumerate(claims, start=1):
        start = time.perf_counter()
        check = check_sentence(claim.sentence, list(claim.passages), lexicon=lexicon)
        spent += time.perf_counter() - start
        ok, base = check.ok, baseline_check(claim.sentence, claim.passages)
        row = tally[(claim.source, claim.kind)]
        row["n"] += 1
        row["medcite"] += ok == claim.faithful
        row["baseline"] += base == claim.faithful
        if not claim.faithful and not ok:
            reasons.update({code for code, _ in reason_list(check)})
        wrong = "false_rejections" if claim.faithful else "missed_changes"
        if ok != claim.faithful and len(examples[wrong]) < EXAMPLES * 4:
            examples[wrong].append({"source": claim.source, "kind": claim.kind,
                                    "sentence": claim.sentence, "reasons": reason_list(check),
                                    "passage_sentence": check.passage_sentence})
        if progress is not None and (i % 100 == 0 or i == len(claims)):
            progress(i, len(claims))
    return _figures(claims, tally, reasons, examples, spent, lexicon is not None, limit)


def _share(n: int, of: int) -> float | None:
    return round(n / of, 4) if of else None


def _figures(claims: list[Claim], tally: dict[tuple[str, str], Counter[str]],
             reasons: Counter[str], examples: dict[str, list[dict[str, Any]]], spent: float,
             lexicon: bool, limit: int) -> dict[str, Any]:
    faithful_kinds = {(c.source, c.kind) for c in claims if c.faithful}
    rows: dict[str, dict[str, dict[str, Any]]] = {"changed": {}, "faithful": {}}
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for (source, kind), row in sorted(tally.items()):
        group = "faithful" if (source, kind) in faithful_kinds else "changed"
        rows[group][f"{source}/{kind}"] = {
            "n": row["n"], "medcite": _share(row["medcite"], row["n"]),
            "baseline": _share(row["baseline"], row["n"])}
        total = totals[f"{group}/{source}"]
        for key in ("n", "medcite", "baseline"):
            total[key] += row[key]
    return {
        "claims": len(claims), "limit": limit, "lexicon": lexicon,
        "seconds": round(spent, 2), "claims_per_s": round(len(claims) / max(spent, 1e-9), 1),
        "measure": "changed: share rejected; faithful: share accepted",
        "changed": rows["changed"], "faithful": rows["faithful"],
        "totals": {k: {"n": v["n"], "medcite": _share(v["medcite"], v["n"]),
                       "baseline": _share(v["baseline"], v["n"])}
                   for k, v in sorted(totals.items())},
        "reason_codes_on_changed": dict(reasons.most_common()),
        "examples": examples,
    }


def print_verify(data: dict[str, Any], print_line: Callable[[str], None]) -> None:
    print_line(f"{data['claims']} claims, {data['claims_per_s']} claims/s "
               f"(lexicon: {'yes' if data['lexicon'] else 'no'})")
    for group, label in (("changed", "rejected"), ("faithful", "accepted")):
        print_line(f"{group + ' (share ' + label + ')':<40}{'n':>6}{'medcite':>10}{'baseline':>10}")
        for name, row in data[group].items():
            print_line(f"  {name:<38}{row['n']:>6}{_pct(row['medcite']):>10}"
                       f"{_pct(row['baseline']):>10}")
    print_line(f"{'totals':<40}{'n':>6}{'medcite':>10}{'baseline':>10}")
    for name, row in data["totals"].items():
        print_line(f"  {name:<38}{row['n']:>6}{_pct(row['medcite']):>10}"
                   f"{_pct(row['baseline']):>10}")
    codes = ", ".join(f"{k} {v}" for k, v in data["reason_codes_on_changed"].items())
    print_line(f"reason codes on rejected changed claims: {codes}")
    llm = data.get("llm_sentences")
    if llm is not None:
        print_line(f"LLM-written sentences, labelled by reading ({llm['sentences']}; "
                   f"{llm['not_in_this_home']} whose passages this home lacks):")
        for label, verb in (("supported", "accepted"), ("unsupported", "rejected")):
            row = llm[label]
            print_line(f"  {label + ' (share ' + verb + ')':<38}{row['n']:>6}"
                       f"{_pct(row['medcite']):>10}{_pct(row['baseline']):>10}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"
