"""Notes and lines that once made citation extraction or reference parsing quadratic: each must take
seconds, not minutes (the tests check what they return on smaller copies; speed is measured here).

    python benchmarks/pathological_notes.py

Prints seconds per case.
"""

from __future__ import annotations

import time

from corpus.pipeline.citations import author_year_markers, parse_notes, parse_work, superscript_markers
from corpus.pipeline.refparse import parse_reference

LINE = ("12345678901234567890 [[[ ((( “““ 1999 (A 2001; " * 120_000)[:5_000_000]
CASES = {
    "5 MB line: author-year markers": lambda: author_year_markers(LINE),
    "5 MB line: superscript markers": lambda: superscript_markers([LINE]),
    "5 MB line: notes": lambda: parse_notes(LINE),
    "25,000 ones: parse_work": lambda: parse_work("1," * 25_000),
    "25,000 ones: parse_reference": lambda: parse_reference("1," * 25_000),
    "50,000 brackets": lambda: parse_reference("[" * 50_000),
    "20,000 quotes": lambda: parse_reference("“" * 20_000 + "x"),
    "10,000 dashes after a URL": lambda: parse_reference("https://a.org/x" + "- a" * 10_000),
}


def main() -> None:
    for name, run in CASES.items():
        start = time.perf_counter()
        run()
        print(f"{name}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
