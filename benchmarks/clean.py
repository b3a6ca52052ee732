"""Time clean and decode on pathological inputs of growing size: each must grow linearly.

    python benchmarks/clean.py

Prints seconds per input size; a quadratic step shows as a 4x jump when the size doubles.
"""

from __future__ import annotations

import time

from corpus.pipeline.clean import clean_text
from corpus.pipeline.ingest import decode

CASES = {
    "hard-wrapped, no blank lines": lambda n: "\n".join(["word " * 14 + "cont-"] * (n // 75)),
    "wrapped Chinese": lambda n: "\n".join(["网格化管理是基层治理的重要方式街道主管部"] * (n // 20)),
    "brackets": lambda n: "[" * n,
    "1,1,1": lambda n: "1," * (n // 2),
    "paged, one line a page": lambda n: "\f".join(["A running header", "Body line of text.", "3"] * (n // 40)),
    "short chrome lines": lambda n: "\n".join(["Share on Facebook", "Body."] * (n // 25)),
}


def main() -> None:
    for name, make in CASES.items():
        times = []
        for size in (100_000, 200_000, 400_000):
            text = make(size)
            start = time.perf_counter()
            clean_text(text)
            decode(text.encode("utf-8"))
            times.append(time.perf_counter() - start)
        print(f"{name:<32} " + "  ".join(f"{t:6.3f}s" for t in times))


if __name__ == "__main__":
    main()
