import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time: a red build points at the change, not at the dice.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from corpus.config import BUNDLED_SOURCES, BuildConfig
from corpus.executor import build


@pytest.fixture(scope="session")
def seed_release(tmp_path_factory) -> Path:
    """The bundled sources built once per test session into a temporary folder."""
    out = tmp_path_factory.mktemp("releases")
    result = build(BuildConfig(sources=BUNDLED_SOURCES, out=out, version="0.1.0"))
    return result.release


@pytest.fixture
def sources(tmp_path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


def copy_seed(folder: Path, prefix: str) -> Path:
    seed = next(BUNDLED_SOURCES.glob(f"{prefix}_*.txt"))
    return Path(shutil.copy(seed, folder / seed.name))
