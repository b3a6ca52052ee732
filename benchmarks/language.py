"""What the language layer costs on the seed corpus: the language stage's share of a full in-process
build (target: at most 20%), and its agreement with plain seeded langdetect on the seed paragraphs.

    python benchmarks/language.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from corpus.config import BuildConfig
from corpus.executor import build


def main() -> None:
    out = Path(tempfile.mkdtemp())
    try:
        start = time.perf_counter()
        result = build(BuildConfig(out=out))
        total = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    language = result.timings["language"]
    print(f"seed corpus build: {total:.2f} s; language stage {language:.2f} s "
          f"= {100 * language / (total - language):.1f}% added to the rest of the build (target <= 20%)")
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    paragraphs = result.tables["paragraphs"]
    plain = []
    for text in paragraphs["text"]:
        try:
            plain.append(detect(text))
        except Exception:
            plain.append("und")
    ours = [l.split("-")[0] for l in paragraphs["language"]]
    plain = [p.split("-")[0] for p in plain]
    differ = [(o, p, t[:60]) for o, p, t in zip(ours, plain, paragraphs["text"]) if o != p]
    print(f"paragraphs: {len(ours)}; ours and plain seeded langdetect differ on {len(differ)}:")
    for o, p, t in differ:
        print(f"  ours {o:<4} plain {p:<4} {t!r}")


if __name__ == "__main__":
    main()
