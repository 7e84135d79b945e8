"""Measure passages/s of the default embedder by passage size, max_length and batch size.

Reads real abstracts at run time, cuts them into ~600, ~1000 and ~1500-character passages
(at word boundaries), embeds the same passages under each setting and prints a Markdown
table with the projected time for a corpus of ``--corpus-size`` passages. Each setting runs
``--repeat`` times and the best run counts, since other work on a small machine adds noise.

    PYTHONPATH=src python scripts/measure_embedder.py [--passages 192]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from medcite.index.embedder import available_cores, default_embedder

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "research.jsonl.gz"
SIZES = (600, 1000, 1500)
MAX_LENGTHS = (128, 256)
BATCH_SIZES = (16, 32, 64)


def texts(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            text = " ".join(part for part in (record.get("title"), record.get("text")) if part)
            if text:
                yield text


def chunks(text: str, size: int) -> Iterator[str]:
    """Windows of about ``size`` characters cut at spaces; a short tail is dropped."""
    start = 0
    while len(text) - start >= 0.8 * size:
        end = min(len(text), start + size)
        cut = text.rfind(" ", start + size // 2, end)
        if end < len(text) and cut > start:
            end = cut
        yield text[start:end].strip()
        start = end


def sample(path: Path, size: int, count: int) -> list[str]:
    found: list[str] = []
    for text in texts(path):
        found.extend(chunks(text, size))
        if len(found) >= 4 * count:
            break
    rng = np.random.default_rng(0)
    return [found[i] for i in rng.choice(len(found), size=min(count, len(found)), replace=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--passages", type=int, default=192, help="passages per setting")
    parser.add_argument("--corpus-size", type=int, default=190_000, help="for the projection")
    parser.add_argument("--repeat", type=int, default=3, help="runs per setting; best counts")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    passages = {size: sample(args.corpus, size, args.passages) for size in SIZES}
    print(f"{available_cores()} cores, load {os.getloadavg()[0]:.2f}; {args.passages} passages "
          f"per setting, best of {args.repeat}, from {args.corpus}\n")
    print("| chars (mean) | tokens mean / p90 | max_length | truncated | batch | passages/s "
          f"| hours for {args.corpus_size:,} |")
    print("|---|---|---|---|---|---|---|")
    results = []
    for max_length in MAX_LENGTHS:
        embedder = default_embedder(max_length=max_length)
        embedder.embed(passages[SIZES[0]][:16], "passage")  # warm up
        for size in SIZES:
            items = passages[size]
            tokens = np.array([len(e.ids) for e in embedder.tokenizer.encode_batch(items)])
            full = embedder.tokenizer
            full.no_truncation()
            raw = np.array([len(e.ids) for e in full.encode_batch(items)])
            full.enable_truncation(max_length)
            for batch in BATCH_SIZES:
                embedder.batch_size = batch
                best = float("inf")
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    embedder.embed(items, "passage")
                    best = min(best, time.perf_counter() - started)
                rate = len(items) / best
                row = {
                    "chars": float(np.mean([len(t) for t in items])), "size": size,
                    "tokens_mean": float(raw.mean()), "tokens_p90": float(np.percentile(raw, 90)),
                    "max_length": max_length, "truncated": float((raw > max_length).mean()),
                    "batch": batch, "passages_per_s": rate,
                    "tokens_per_s": float(tokens.sum()) / best,
                    "hours": args.corpus_size / rate / 3600,
                }
                results.append(row)
                print(f"| ~{size} ({row['chars']:.0f}) | {row['tokens_mean']:.0f} / "
                      f"{row['tokens_p90']:.0f} | {max_length} | {row['truncated']:.0%} | {batch} "
                      f"| {rate:.1f} | {row['hours']:.2f} |", flush=True)
            assert tokens.max() <= max_length
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
