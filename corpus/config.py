"""Build configuration: one frozen dataclass tree, read at the CLI edge and passed down.

The resolved configuration is recorded in each release's `manifest.json`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["BuildConfig", "IngestConfig", "DedupConfig", "LanguageConfig", "STAGES", "BUNDLED_SOURCES", "BUNDLED_RELEASES"]

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_SOURCES = PACKAGE_DIR / "sources"
BUNDLED_RELEASES = PACKAGE_DIR / "releases"

# The stages in build order; `--until` names one of them.
# The glossary comes before entities, which use it to link 习近平 to Xi Jinping.
STAGES = ("ingest", "clean", "dedup", "segment", "language", "terms", "citations", "entities", "publish")


@dataclass(frozen=True)
class IngestConfig:
    # Larger files are rejected with reason `too_large` instead of being read into memory.
    max_bytes: int = 20_000_000
    extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm")


@dataclass(frozen=True)
class DedupConfig:
    num_perm: int = 128
    # 64 bands of 2 rows: a pair whose bigram Jaccard is 0.25 becomes a candidate with probability 0.98.
    bands: int = 64
    # A candidate pair is a duplicate when one of these verifications holds (see dedup.py).
    # Candidates whose signatures agree on fewer values are not verified (bigram Jaccard well below spun copies').
    min_estimate: float = 0.15
    # near: this share of the shorter content is covered by 5-grams of the other text, and the other's
    # content by the shorter text at least `extent_threshold`: the same article, not a quote of it, and not
    # another article of the same site sharing its chrome (two such pages on the html dev set reach 0.66).
    near_threshold: float = 0.8
    extent_threshold: float = 0.75
    spun_threshold: float = 0.3
    # Copies share at least this share of the shorter text's names; near copies 3/4 of its names and half its
    # numbers (a bond issue of another company, or a weekly market report, is not a copy of the last one);
    # spun copies nearly all its numbers.
    anchor_threshold: float = 0.4
    near_anchor_threshold: float = 0.75
    near_number_threshold: float = 0.5
    number_threshold: float = 0.9
    # Shorter texts are too formulaic (dividend notices, price tables) to call a loose match a spun copy.
    spun_min_words: int = 80
    # A line of this many words (a CJK character counting half) ending a sentence is prose, the content
    # copies are judged on; menus, link lists and footers are not.
    prose_min_words: int = 8


@dataclass(frozen=True)
class LanguageConfig:
    seed: int = 0
    # Below this many characters langdetect's answer is treated as low-confidence.
    short_chars: int = 40


@dataclass(frozen=True)
class BuildConfig:
    sources: Path = BUNDLED_SOURCES
    out: Path = BUNDLED_RELEASES
    version: str = "0.1.0"
    until: str = "publish"
    scheduler: str | None = None
    ingest: IngestConfig = field(default_factory=IngestConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)

    def stage_enabled(self, stage: str) -> bool:
        return STAGES.index(stage) <= STAGES.index(self.until)

    def recorded(self) -> dict:
        """The configuration as written to the manifest: no machine-specific absolute paths."""
        d = asdict(self)
        d["sources"] = self.sources.name  # the folder's name only: the same files give the same release anywhere
        d.pop("out")
        d["ingest"]["extensions"] = list(self.ingest.extensions)
        return d
