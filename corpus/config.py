"""Build configuration: one frozen dataclass tree, made at the CLI edge (`BuildConfig.from_cli`) and passed down.

Nothing here reads a file or the environment: what a configuration leaves to the sources folder (the
corpus's own description and default version) is filled in by `corpus_toml.resolve` when a build starts.
The resolved configuration is recorded in each release's `manifest.json`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import ConfigError

__all__ = ["BuildConfig", "IngestConfig", "DedupConfig", "ReuseConfig", "LanguageConfig", "CorpusInfo", "CardProse",
           "BUNDLED_SOURCES", "BUNDLED_RELEASES", "DEFAULT_RELEASES", "CORPUS_TOML", "SOURCES_TOML",
           "max_failures_from"]

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_SOURCES = PACKAGE_DIR / "sources"
BUNDLED_RELEASES = PACKAGE_DIR / "releases"
# Where `corpus build` writes unless told otherwise: beside the user's work, never inside the installed package.
DEFAULT_RELEASES = Path("build") / "releases"
SOURCES_TOML = "sources.toml"
CORPUS_TOML = "corpus.toml"
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")  # ASCII digits only: `１.０.０` is no version
DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
# local:N worker processes here, or the address of a running dask.distributed scheduler.
_SCHEDULER = re.compile(r"local:[1-9]\d*|(tcp|tls|ucx|inproc)://\S+")

# Set (to 0 in the test suite and CI) to fail a build on any failing document unless --max-failures says otherwise.
MAX_FAILURES_ENV = "CORPUS_MAX_FAILURES"
# By default a build publishes with failing documents (each in the failures table and the card) while they
# are at most this share of its source files, rounded up: one bad file among a hundred.
MAX_FAILURES_SHARE = 0.01


@dataclass(frozen=True)
class IngestConfig:
    # Larger files are rejected with reason `too_large` instead of being read into memory.
    max_bytes: int = 20_000_000
    # A text longer than this (about a 1,000-page book) is rejected with reason `too_long` before any layer
    # annotates it: segmentation and entity tagging of one multi-megabyte text take minutes.
    max_chars: int = 2_000_000
    extensions: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf", ".docx")


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
    # ... and at most this share of either content lies in lines (paragraphs, articles) mostly missing from the
    # other: a copy's differences are scattered edits, while two regulations sharing most provisions, or two
    # remixes of the same paragraphs, each have whole provisions or paragraphs of their own.
    missing_threshold: float = 0.1
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
class ReuseConfig:
    # Passages' MinHash signatures in 32 bands of 2 rows: two passages whose shingles' Jaccard similarity is
    # 0.3 share a band with probability 0.95, at 0.5 with probability 0.9999.
    num_perm: int = 64
    bands: int = 32
    # Candidates whose signatures agree on fewer values are not verified.
    min_estimate: float = 0.25
    # A passage pair is reuse at this similarity of its aligned masked tokens or more (2 * shared / both lengths):
    # an article copied with a clause edited keeps over 0.9; two articles on one subject sharing set phrases
    # ("逾期不改正的，处…罚款") fall under it.
    min_similarity: float = 0.8


@dataclass(frozen=True)
class LanguageConfig:
    # langdetect's seed, set in every process that detects.
    seed: int = 0
    # Text with fewer letters than this (in a script written with spaces) is `und-<Script>`, undetected:
    # a name, a byline or a heading ("By Chen Yu", "Abstract") says no language.
    min_letters: int = 10
    # ... and so is text of at most this many words that are all capitalised: a name ("Alexander H. Pepper"),
    # a button ("Hide Overview"), a document code ("LSB11420 · VERSION 1 · NEW"), to which detectors give
    # Swedish, Afrikaans, Catalan. A sentence has a lowercase word ("Обожаю кино.", "Tak działał przez lata.").
    max_heading_words: int = 3
    # An answer the calibration says is right less than one time in four is `und-<Script>` (with its score).
    # Not 0.5: the calibrated score of a short sentence is low even when right (on the dev set's Leipzig
    # sentences a 0.5 bar turned a right Russian answer at 0.33 into `und`); users who want only sure
    # answers filter on language_score.
    min_score: float = 0.25


@dataclass(frozen=True)
class CardProse:
    """The data card's prose about one corpus (Markdown); what is left empty the card says is not stated."""

    motivation: str = ""
    provenance: str = ""  # what is known and unknown about where the documents come from
    licensing: str = ""   # who holds the rights to the texts, and what users may do with them
    uses: str = ""        # intended uses and out-of-scope uses
    sensitive: str = ""   # what the texts say about persons, and what users must not do with it
    limitations: str = ""  # bias, risks and limitations of the collection
    recommendations: str = ""  # what users should do about them
    maintenance: str = ""


@dataclass(frozen=True)
class CorpusInfo:
    """What a corpus says about itself: `corpus.toml` beside the sources, or a `[corpus]` table in sources.toml.

    The card, CITATION.cff, croissant.json and datapackage.json of its releases are generated from it.
    """

    name: str = ""           # a slug: lower-case letters, digits, '-', '_' and '.'
    pretty_name: str = ""
    description: str = ""
    # An SPDX identifier (CC-BY-4.0, MIT, ...), or "other" with `license_text`, or "unknown".
    license: str = "unknown"
    license_text: str = ""
    languages: tuple[str, ...] = ()  # ISO 639-1 codes; empty: taken from the documents' detected languages
    homepage: str = ""
    authors: tuple[str, ...] = ()
    citation: str = ""       # how to cite, verbatim; empty: generated from authors, name, version and date
    keywords: tuple[str, ...] = ()
    task_categories: tuple[str, ...] = ()  # Hugging Face Hub task categories (token-classification, ...)
    version: str = ""        # the default of `--version`
    date: str = ""           # date published (YYYY-MM-DD, YYYY-MM or YYYY); empty: the newest document's date
    card: CardProse = field(default_factory=CardProse)


# The keys of CorpusInfo that hold lists.
LIST_KEYS = {"languages", "authors", "keywords", "task_categories"}


@dataclass(frozen=True)
class BuildConfig:
    sources: Path = BUNDLED_SOURCES
    out: Path = DEFAULT_RELEASES
    version: str = ""        # empty: the corpus configuration's version, else 0.1.0
    until: str = "publish"
    scheduler: str | None = None
    # Documents per partition: what one process reads, cleans and annotates at once (memory), and one task.
    partition_size: int = 1_000
    # A release file holds at most this much table data (Arrow bytes, before compression), one long row aside:
    # well under the 500 MB per file that the Hugging Face Hub recommends, and what publish holds in memory.
    shard_bytes: int = 256 * 2**20
    # The work folder's pieces are bucketed by doc_id so that publish sorts one bucket at a time; a bucket
    # holds about this many documents' rows (the bucket count depends only on the number of source files).
    bucket_documents: int = 2_000
    # Documents whose work may raise (each recorded in the failures table) before the build stops unpublished;
    # None: $CORPUS_MAX_FAILURES, else MAX_FAILURES_SHARE of the source files (at least 1).
    max_failures: int | None = None
    ingest: IngestConfig = field(default_factory=IngestConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    reuse: ReuseConfig = field(default_factory=ReuseConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    # None: read from the sources folder (corpus.toml or [corpus] in sources.toml) when the build starts.
    corpus: CorpusInfo | None = None

    def __post_init__(self):
        if self.max_failures is not None and self.max_failures < 0:
            raise ConfigError(f"--max-failures {self.max_failures}: expected 0 or more documents")
        if self.scheduler is not None and not _SCHEDULER.fullmatch(self.scheduler):
            raise ConfigError(f"--scheduler {self.scheduler!r}: expected local:N (N >= 1 worker processes) or the "
                              "address of a Dask scheduler like tcp://head-node:8786")
        for name in ("partition_size", "shard_bytes", "bucket_documents"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"--{name.replace('_', '-')} {value!r}: expected a whole number, 1 or more")
        for flag, value in (("--max-bytes", self.ingest.max_bytes), ("--max-chars", self.ingest.max_chars)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{flag} {value!r}: expected a whole number, 1 or more")
        if self.version and not VERSION.fullmatch(self.version):
            raise ConfigError(f"--version {self.version!r}: expected a version like 0.1.0")

    @classmethod
    def from_cli(cls, args, env: Mapping[str, str]) -> BuildConfig:
        """The configuration of `corpus build` with parsed arguments `args` in the environment `env`
        ($CORPUS_MAX_FAILURES when --max-failures is not given). Reads no file."""
        return cls(sources=args.sources, out=args.out, version=args.version or "", until=args.until,
                   scheduler=args.scheduler, partition_size=args.partition_size,
                   max_failures=args.max_failures if args.max_failures is not None else max_failures_from(env),
                   ingest=IngestConfig(max_bytes=args.max_bytes, max_chars=args.max_chars))

    def failures_allowed(self, sources: int) -> int:
        """How many documents may fail in a build of `sources` files before it stops unpublished."""
        if self.max_failures is not None:
            return self.max_failures
        return max(1, math.ceil(sources * MAX_FAILURES_SHARE))

    @property
    def partial(self) -> bool:
        """A build that stops before publish writes to a scratch folder, never a release."""
        return self.until != "publish"

    @property
    def target(self) -> Path:
        """The folder this build writes: `out/VERSION`, or `out/scratch/VERSION-until-STAGE` for a partial build."""
        if self.partial:
            return Path(self.out) / "scratch" / f"{self.version}-until-{self.until}"
        return Path(self.out) / self.version

    def recorded(self) -> dict:
        """The configuration as written to the manifest: no machine-specific absolute paths."""
        d = asdict(self)
        d["sources"] = self.sources.name  # the folder's name only: the same files give the same release anywhere
        # how it ran, not what it computed (the files a table is cut into are in the manifest's file list)
        for where in ("out", "scheduler", "partition_size", "max_failures", "shard_bytes", "bucket_documents"):
            d.pop(where)
        d["ingest"]["extensions"] = list(self.ingest.extensions)
        for key in LIST_KEYS:
            d["corpus"][key] = list(d["corpus"][key])
        return d


def max_failures_from(env: Mapping[str, str]) -> int | None:
    """$CORPUS_MAX_FAILURES of the environment `env` (None when unset): the default of --max-failures."""
    value = env.get(MAX_FAILURES_ENV, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"${MAX_FAILURES_ENV} {value!r}: expected a whole number of documents") from None
