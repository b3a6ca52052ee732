"""The language layer measured (run from the project root, inside the venv):

    python benchmarks/language.py cost [N]       share the language stage adds to the rest of an N-story (2,000)
                                                  Reuters build (target: at most 15%)
    python benchmarks/language.py load            seconds and memory a fresh process spends before its first detector
                                                  answer (target: at most 2 s and 0.3 GB), the package's import apart
    python benchmarks/language.py plain DEV      on the paragraphs of a language dev set's truth.json, in one run:
                                                  the layer's own answer (`detect`), plain lingua (all languages,
                                                  high accuracy) and plain seeded langdetect, accuracy overall and
                                                  misses per language, and the seconds each took
    python benchmarks/language.py rule DEV       the English function-word rule at 5 to 8 words: English texts it
                                                  decides and non-English ones it claims, over the paragraphs and
                                                  their cuts
    python benchmarks/language.py calibrate DEV  fit the language_score calibration on the dev set's sentences cut
                                                  to random lengths (seeded) and write data/lang_calibration.json;
                                                  prints the expected calibration error on held-out files

DEV is a folder holding truth.json ({file: [[paragraph, ISO 639-1], ...]}), e.g. ../shared/bench/language-dev.
`plain` prints the package versions it ran with. Nothing here runs in the test suite, and no data is copied
into the project.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _items(dev: Path) -> list[tuple[str, str, str]]:
    truth = json.loads((dev / "truth.json").read_text(encoding="utf-8"))
    return [(f, text, code) for f, items in sorted(truth.items()) for text, code in items]


def cost(n: int) -> None:
    from _reuters import ROOT, expand, stories

    from corpus.config import BuildConfig
    from corpus.executor import build

    folder = expand(ROOT / "build" / "bench" / f"reuters-{n}", stories(n))
    out = Path(tempfile.mkdtemp())
    try:
        start = time.perf_counter()
        result = build(BuildConfig(sources=folder, out=out, version="0.0.1"))
        total = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    lang = result.timings["language"]
    print(f"{n} Reuters stories: build {total:.1f} s; language stage {lang:.1f} s "
          f"= {100 * lang / (total - lang):.1f}% added to the rest of the build (target <= 15%)")
    print("stages:", ", ".join(f"{s} {t:.1f}s" for s, t in result.timings.items()))


def load() -> None:
    import subprocess

    code = ("import resource, time; import corpus.pipeline.language as L; "
            "t, c = time.perf_counter(), time.process_time(); m = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            "L.detect('Ceci est une phrase en français sur la gouvernance des villes.'); "
            "print(time.perf_counter() - t, time.process_time() - c, "
            "(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - m) / 1e6)")
    seconds, cpu, gigabytes = map(float, subprocess.run([sys.executable, "-c", code], capture_output=True,
                                                        text=True, check=True).stdout.split())
    print(f"first detector answer in a fresh process: {seconds:.2f} s ({cpu:.2f} s of CPU: on a shared machine the "
          f"wall time is longer), {gigabytes:.3f} GB more resident memory (targets: 2 s, 0.3 GB)")


def plain(dev: Path) -> None:
    from importlib import metadata

    from langdetect import DetectorFactory, detect as langdetect
    from langdetect.lang_detect_exception import LangDetectException
    from lingua import LanguageDetectorBuilder

    from corpus.pipeline.language import detect

    DetectorFactory.seed = 0
    items = _items(dev)
    lingua = LanguageDetectorBuilder.from_all_languages().build()

    def run_lingua(text):
        found = lingua.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else ""

    def run_langdetect(text):
        try:
            return langdetect(text)
        except LangDetectException:
            return ""

    def run_layer(text):
        return detect(text)[0]

    print("versions:", ", ".join(f"{d} {metadata.version(d)}" for d in
                                 ("china-digital-governance-corpus", "lingua-language-detector", "langdetect")))
    for name, fn in (("layer (corpus.pipeline.language.detect)", run_layer), ("plain lingua", run_lingua),
                     ("plain seeded langdetect", run_langdetect)):
        start, misses = time.perf_counter(), {}
        for _, text, code in items:
            if fn(text).split("-")[0] != code:
                misses[code] = misses.get(code, 0) + 1
        ok = len(items) - sum(misses.values())
        print(f"{name}: {ok / len(items):.4f} of {len(items)} paragraphs ({time.perf_counter() - start:.1f} s); "
              f"misses {dict(sorted(misses.items()))}")


def rule(dev: Path) -> None:
    import regex

    from corpus.pipeline.language import _ENGLISH

    texts = _snippets(_items(dev), seed=5)
    for words_min in (5, 6, 7, 8):
        decided = claimed = 0
        for _, text, code in texts:
            words = regex.findall(r"\p{Latin}+", text)
            if len(words) >= words_min and sum(w.lower() in _ENGLISH for w in words) / len(words) >= 0.2:
                decided += code == "en"
                claimed += code != "en"
        print(f"{words_min}+ words: {decided} English texts decided, {claimed} non-English claimed "
              f"(of {len(texts)})")
    from corpus.pipeline.language import _LINGUA_ENGLISH, _lingua_probs

    decided = claimed = 0
    for _, text, code in texts:
        words = regex.findall(r"\p{Latin}+", text)
        share = sum(w.lower() in _ENGLISH for w in words) / len(words) if len(words) >= 6 else 0.0
        if 0.1 <= share < 0.2:
            found = _lingua_probs(text, "Latn")
            if found and max(sorted(found), key=found.get) == "en" and found["en"] >= _LINGUA_ENGLISH:
                decided += code == "en"
                claimed += code != "en"
    print(f"6+ words, a tenth English function words and lingua English >= {_LINGUA_ENGLISH}: {decided} English "
          f"texts decided, {claimed} non-English claimed")


def _snippets(items: list[tuple[str, str, str]], seed: int = 0) -> list[tuple[str, str, str]]:
    """Each paragraph whole and cut to three random lengths at word boundaries (4 to 120 characters)."""
    rng = random.Random(seed)
    out = []
    for f, text, code in items:
        out.append((f, text, code))
        for _ in range(3):
            cut = text[:rng.randint(4, 120)]
            out.append((f, cut.rsplit(" ", 1)[0] if " " in cut else cut, code))
    return out


def _fit_logistic(x: list[list[float]], y: list[int], steps: int = 50) -> list[float]:
    """Newton's method for a logistic regression with a weak L2 penalty (intercept first in the result)."""
    import numpy as np

    X = np.column_stack([np.ones(len(x)), np.array(x)])
    t = np.array(y, dtype=float)
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - t) + 1e-3 * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + 1e-3 * np.eye(X.shape[1])
        w -= np.linalg.solve(hess, grad)
    return [float(v) for v in w]


def _features(prob: float, letters: int) -> list[float]:
    p = min(max(prob, 1e-4), 1 - 1e-4)
    return [math.log(p / (1 - p)), math.log1p(letters)]


def _ece(probs: list[float], hits: list[int], bins: int = 10) -> float:
    total = 0.0
    for b in range(bins):
        idx = [i for i, p in enumerate(probs) if b / bins <= p < (b + 1) / bins or (b == bins - 1 and p == 1.0)]
        if idx:
            total += abs(sum(probs[i] for i in idx) - sum(hits[i] for i in idx))
    return total / max(1, len(probs))


def calibrate(dev: Path) -> None:
    from corpus.pipeline.language import _CALIBRATION, evidence

    rows = []
    for f, text, code in _snippets(_items(dev)):
        method, probs, letters, _ = evidence(text)
        if not probs:
            continue
        lang = max(sorted(probs), key=probs.get)
        rows.append((f, method, probs[lang], letters, int(lang.split("-")[0] == code)))
    files = sorted({r[0] for r in rows})
    held = set(files[1::2])
    calibration = {}
    for method in ("script", "english"):
        hits = [r[4] for r in rows if r[1] == method]
        calibration[method] = {"accuracy": round((sum(hits) + 1) / (len(hits) + 2), 4), "n": len(hits)}
    for method in ("detectors",):
        det = [r for r in rows if r[1] == method]
        fit = _fit_logistic([_features(r[2], r[3]) for r in det if r[0] not in held],
                            [r[4] for r in det if r[0] not in held])
        test = [r for r in det if r[0] in held]
        scored = [1 / (1 + math.exp(-(fit[0] + fit[1] * a + fit[2] * b))) for a, b in
                  (_features(r[2], r[3]) for r in test)]
        print(f"{method}: {len(det)} snippets ({sum(r[4] for r in det)} right); held-out files: ECE calibrated "
              f"{_ece(scored, [r[4] for r in test]):.4f}, raw probability "
              f"{_ece([r[2] for r in test], [r[4] for r in test]):.4f}")
        full = _fit_logistic([_features(r[2], r[3]) for r in det], [r[4] for r in det])
        calibration[method] = {"intercept": round(full[0], 4), "logit": round(full[1], 4),
                               "log_letters": round(full[2], 4), "n": len(det)}
    calibration["source"] = ("Leipzig corpora sentences (language-dev set, CC BY), each whole and cut to three "
                             "random lengths (seed 0); fitted by benchmarks/language.py calibrate")
    _CALIBRATION.write_text(json.dumps(calibration, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(calibration, indent=1, sort_keys=True))


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "cost"
    if mode == "cost":
        cost(int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
    elif mode == "load":
        load()
    elif mode == "plain":
        plain(Path(sys.argv[2]))
    elif mode == "rule":
        rule(Path(sys.argv[2]))
    elif mode == "calibrate":
        calibrate(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
