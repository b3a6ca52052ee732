import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time: a red build points at the change, not at the dice.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# A bug never becomes silent: every build of the suite (and of CI, which runs it) fails on the first
# document that raises inside a layer, unless a test sets max_failures itself.
os.environ.setdefault("CORPUS_MAX_FAILURES", "0")

from corpus.config import BUNDLED_SOURCES, CORPUS_TOML, SOURCES_TOML, BuildConfig
from corpus.executor import build

# The suite's seed corpus: four short texts written for the tests (tests/data/seed/, MIT) in the shapes of the
# research-use articles the corpus began with, which are not redistributed; with the bundled corpus.toml.
SEED = Path(__file__).parent / "data" / "seed"


def copy_seed(folder: Path, prefix: str) -> Path:
    seed = sorted(SEED.glob(f"{prefix}_*.txt"))[0]
    return Path(shutil.copy(seed, folder / seed.name))


def seed_sources(folder: Path) -> Path:
    """A sources folder with the seed texts, their sources.toml and the bundled corpus.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    for text in SEED.glob("*.txt"):
        shutil.copy(text, folder / text.name)
    shutil.copy(SEED / SOURCES_TOML, folder / SOURCES_TOML)
    shutil.copy(BUNDLED_SOURCES / CORPUS_TOML, folder / CORPUS_TOML)
    return folder


@pytest.fixture(scope="session")
def models():
    """The models of the layers, loaded once per test session (each process caches them): spaCy, lingua and
    langdetect, the Chinese NER and reference-parsing CRFs. No test starts a process that loads them again."""
    from corpus.nlp import english, zh_tagger
    from corpus.pipeline.language import detect
    from corpus.pipeline.refparse import parse_reference

    english("sentences")
    english("entities")
    zh_tagger()
    detect("Le modèle est chargé une seule fois par session de tests, pas à chaque processus.")
    parse_reference("Xu, Jian. “Smart Cities.” China Quarterly 245 (2021): 1-20.")


@pytest.fixture(scope="session")
def seed_release(tmp_path_factory, models) -> Path:
    """The seed texts built once per test session into a temporary releases folder (version 0.1.0)."""
    sources = seed_sources(tmp_path_factory.mktemp("seed") / "sources")
    out = tmp_path_factory.mktemp("releases")
    result = build(BuildConfig(sources=sources, out=out, version="0.1.0"))
    return result.release


@pytest.fixture
def sources(tmp_path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder
