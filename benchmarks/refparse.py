"""Reference parsing speed and worst cases: notes per second on note shapes written here, and the time
for pathological notes (50 KB of `1,1,1,…`, `[[[[`, unclosed quotes). Prints; never run by the tests.

    python benchmarks/refparse.py
"""

from __future__ import annotations

import time

from corpus.pipeline.citations import parse_notes, parse_work

NOTES = [
    "David Shambaugh, China's Leaders from Mao to Now, Polity, 2021, 320.",
    "赵立新：《城市网格与基层秩序》，《治理研究》2015年第4期。",
    "Wen Lu, “Cities Expand Health Codes,” Reuters, Jan. 5, 2021, https://example.org/a.",
    "G. Ferri, La vita dei mercanti, Venezia 1961, p. 44.",
    "Ibid., 12.",
    "孙海燕, 周立. 社区治理的数字化转型[J]. 电子政务, 2020, 8(3): 12-20.",
]


def main() -> None:
    for note in NOTES:  # load the model and dateparser's locales once
        parse_work(note)
    n = 3000
    start = time.perf_counter()
    for k in range(n):
        parse_work(NOTES[k % len(NOTES)] + f" {k}")
    took = time.perf_counter() - start
    print(f"parse_work: {n / took:,.0f} notes/s ({took:.2f} s for {n})")
    for name, text in [("1,1,1,… 50 KB", "1," * 25_000), ("[[[[ 50 KB", "[" * 50_000),
                       ("unclosed quotes", "“" * 20_000 + "x"), ("[n] notes 50 KB", "[1] a " * 8_000)]:
        start = time.perf_counter()
        parse_work(text)
        parse_notes(text)
        print(f"{name}: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
