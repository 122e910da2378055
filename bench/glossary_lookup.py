"""Glossary lookup speed with 1,000 entries: exact words, typos and unknown words.

Run: .venv/bin/python bench/glossary_lookup.py [--entries 1000] [--lookups 3000]
Target: 95th percentile under 5 ms on the project's machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import time
from dataclasses import replace

from bot.services.glossary import Glossary, load


def padded(size: int, seed: int = 7) -> Glossary:
    """The real glossary plus made-up entries, so the index has `size` entries."""
    real = load()
    rng = random.Random(seed)
    entries = dict(real.entries)
    template = next(iter(real.entries.values()))
    while len(entries) < size:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 12)))
        second = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))
        entry_id = f"{word}_{second}"
        entries[entry_id] = replace(
            template,
            id=entry_id,
            term=f"{word} {second}",
            aliases=(word + "s",),
            abbreviations=(),
            related=(),
        )
    return Glossary(entries, real.translations)


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    return word[:i] + word[i + 1 :] if len(word) > 4 else word + "e"


def main(size: int, lookups: int) -> None:
    rng = random.Random(1)
    started = time.perf_counter()
    glossary = padded(size)
    build_ms = (time.perf_counter() - started) * 1000
    terms = [e.term for e in glossary.entries.values()]
    queries = []
    for n in range(lookups):
        term = rng.choice(terms)
        queries.append([term, typo(term, rng), "".join(rng.choices("xyzqk", k=8))][n % 3])
    timings = []
    for query in queries:
        started = time.perf_counter()
        glossary.lookup(query, "cy")
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"entries: {len(glossary.entries)}, index build: {build_ms:.0f} ms, lookups: {lookups}")
    print(
        f"lookup ms: median {statistics.median(timings):.3f}, p95 {p95:.3f}, "
        f"max {timings[-1]:.3f} (target p95 < 5 ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=3000)
    args = parser.parse_args()
    main(args.entries, args.lookups)
