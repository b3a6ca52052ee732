"""Build configuration: one frozen dataclass tree, read at the CLI edge and passed down.

The resolved configuration is recorded in each release's `manifest.json`.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .errors import ConfigError, SourcesError
from .pipeline.layers import stage_names

__all__ = ["BuildConfig", "IngestConfig", "DedupConfig", "ReuseConfig", "LanguageConfig", "CorpusInfo", "CardProse",
           "read_corpus_info", "read_toml", "STAGES", "BUNDLED_SOURCES", "BUNDLED_RELEASES", "DEFAULT_RELEASES",
           "CORPUS_TOML", "SOURCES_TOML"]

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_SOURCES = PACKAGE_DIR / "sources"
BUNDLED_RELEASES = PACKAGE_DIR / "releases"
# Where `corpus build` writes unless told otherwise: beside the user's work, never inside the installed package.
DEFAULT_RELEASES = Path("build") / "releases"
SOURCES_TOML = "sources.toml"
CORPUS_TOML = "corpus.toml"
VERSION = re.compile(r"\d+\.\d+\.\d+")
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
# local:N worker processes here, or the address of a running dask.distributed scheduler.
_SCHEDULER = re.compile(r"local:[1-9]\d*|(tcp|tls|ucx|inproc)://\S+")

# The stages in build order (the registered layers, pipeline/layers.py); `--until` names one of them.
STAGES = stage_names()
# Set (to 0 in the test suite and CI) to fail a build on any failing document unless --max-failures says otherwise.
MAX_FAILURES_ENV = "CORPUS_MAX_FAILURES"
# By default a build publishes with failing documents (each in the failures table and the card) while they
# are at most this share of its source files, rounded up: one bad file among a hundred.
MAX_FAILURES_SHARE = 0.01


@dataclass(frozen=True)
class IngestConfig:
    # Larger files are rejected with reason `too_large` instead of being read into memory.
    max_bytes: int = 20_000_000
    extensions: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf")


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
    # A passage pair is reuse at this Jaccard similarity of its shingles or more: a copied article with a
    # place name changed and a clause edited keeps over half its shingles; two articles on one subject
    # sharing set phrases ("有关部门应当加强指导和监督") keep well under a third.
    min_similarity: float = 0.5


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
    version: str = ""        # the default of `--version`
    date: str = ""           # date published (YYYY-MM-DD, YYYY-MM or YYYY); empty: the newest document's date
    card: CardProse = field(default_factory=CardProse)


_LISTS = {"languages", "authors", "keywords"}

# A metadata file larger than this is not a hand-kept manifest; reading it whole would risk memory.
_MAX_TOML_BYTES = 64_000_000


def read_toml(path: Path) -> tuple[str, dict]:
    """(text, data) of a TOML file; SourcesError naming the file when it is not a regular UTF-8 TOML file.

    Only regular files are opened: a FIFO or a device named sources.toml would block or never end.
    """
    if not path.is_file():
        raise SourcesError([f"{path}: not a regular file; replace it with a UTF-8 text file"])
    with path.open("rb") as fh:
        raw = fh.read(_MAX_TOML_BYTES + 1)
    if len(raw) > _MAX_TOML_BYTES:
        raise SourcesError([f"{path}: larger than {_MAX_TOML_BYTES} bytes; split the sources into folders"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise SourcesError([f"{path}:{line}: not UTF-8 (byte 0x{raw[e.start]:02x}); TOML files are UTF-8: "
                            "re-save it as UTF-8"]) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise SourcesError([f"{path}:{m.group(1) if m else 1}: malformed TOML ({e}); fix the syntax at that line"]) from None


def _text_value(where: str, key: str, value, problems: list[str]):
    if key in _LISTS:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        problems.append(f"{where}: key {key!r}: expected a list of strings, got {value!r}")
        return None
    if key == "date" and isinstance(value, _dt.date):
        value = value.isoformat()[:10]
    if not isinstance(value, str):
        problems.append(f"{where}: key {key!r}: expected a string, got {type(value).__name__} {value!r}")
        return None
    if key == "version" and value and not VERSION.fullmatch(value):
        problems.append(f"{where}: key 'version': expected a version like 1.0.0, got {value!r}")
        return None
    if key == "date" and value and not DATE.fullmatch(value):
        problems.append(f"{where}: key 'date': expected a date like 2024-05-01, 2024-05 or 2024, got {value!r}")
        return None
    return value


def _corpus_info(table: dict, where: str) -> CorpusInfo:
    known = {f.name for f in fields(CorpusInfo)}
    prose = {f.name for f in fields(CardProse)}
    problems, values = [], {}
    for key, value in table.items():
        if key not in known:
            problems.append(f"{where}: unknown key {key!r}; known keys: {', '.join(sorted(known))}")
        elif key == "card":
            if not isinstance(value, dict):
                problems.append(f"{where}: 'card' must be a table of Markdown texts ({', '.join(sorted(prose))})")
                continue
            for k, v in value.items():
                if k not in prose:
                    problems.append(f"{where}: unknown card section {k!r}; known sections: {', '.join(sorted(prose))}")
                elif not isinstance(v, str):
                    problems.append(f"{where}: card section {k!r}: expected Markdown text, got {type(v).__name__}")
            if not problems:
                values["card"] = CardProse(**value)
        else:
            checked = _text_value(where, key, value, problems)
            if checked is not None and key == "license":
                from .metadata import spdx_license  # pandas behind it: only when a corpus states a licence

                try:
                    checked = spdx_license(checked, where)
                except SourcesError as e:
                    problems += e.problems
                    continue
            if checked is not None:
                values[key] = checked
    if problems:
        raise SourcesError(problems)
    return CorpusInfo(**values)


def read_corpus_info(sources: Path) -> CorpusInfo:
    """The corpus configuration of a sources folder: `corpus.toml`, or the `[corpus]` table of `sources.toml`.

    Without either, the corpus is named after its folder and its licence is "unknown".
    """
    sources = Path(sources)
    found = []
    corpus_toml, sources_toml = sources / CORPUS_TOML, sources / SOURCES_TOML
    if corpus_toml.exists() or corpus_toml.is_symlink():
        found.append((corpus_toml, read_toml(corpus_toml)[1]))
    if sources_toml.exists() or sources_toml.is_symlink():
        table = read_toml(sources_toml)[1].get("corpus")
        if table is not None:
            if not isinstance(table, dict):
                raise SourcesError([f"{sources_toml}: 'corpus' must be a table written [corpus]"])
            found.append((sources_toml, table))
    if len(found) > 1:
        raise SourcesError([f"{sources_toml}: a [corpus] table and {corpus_toml} both describe the corpus; keep one"])
    if not found:
        return CorpusInfo(name=_slug(sources.resolve().name), pretty_name=sources.resolve().name)
    path, table = found[0]
    info = _corpus_info(table, str(path))
    if not info.name:
        name = info.pretty_name or sources.resolve().name
        info = CorpusInfo(**{**_shallow(info), "name": _slug(name), "pretty_name": info.pretty_name or name})
    return info


def _shallow(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-") or "corpus"


@dataclass(frozen=True)
class BuildConfig:
    sources: Path = BUNDLED_SOURCES
    out: Path = DEFAULT_RELEASES
    version: str = ""        # empty: the corpus configuration's version, else 0.1.0
    until: str = "publish"
    scheduler: str | None = None
    # Documents per partition: what one process reads, cleans and annotates at once (memory), and one task.
    partition_size: int = 1_000
    # Documents whose work may raise (each recorded in the failures table) before the build stops unpublished;
    # None: $CORPUS_MAX_FAILURES, else MAX_FAILURES_SHARE of the source files (at least 1).
    max_failures: int | None = None
    ingest: IngestConfig = field(default_factory=IngestConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    reuse: ReuseConfig = field(default_factory=ReuseConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    # None: read from the sources folder (corpus.toml or [corpus] in sources.toml) when the config is made.
    corpus: CorpusInfo | None = None

    def __post_init__(self):
        if self.until not in stage_names():
            raise ConfigError(f"unknown stage {self.until!r}. Available stages: {', '.join(stage_names())}")
        if self.max_failures is None and os.environ.get(MAX_FAILURES_ENV, "").strip():
            try:
                object.__setattr__(self, "max_failures", int(os.environ[MAX_FAILURES_ENV]))
            except ValueError:
                raise ConfigError(f"${MAX_FAILURES_ENV} {os.environ[MAX_FAILURES_ENV]!r}: expected a whole number "
                                  "of documents") from None
        if self.max_failures is not None and self.max_failures < 0:
            raise ConfigError(f"--max-failures {self.max_failures}: expected 0 or more documents")
        if self.scheduler is not None and not _SCHEDULER.fullmatch(self.scheduler):
            raise ConfigError(f"--scheduler {self.scheduler!r}: expected local:N (N >= 1 worker processes) or the "
                              "address of a Dask scheduler like tcp://head-node:8786")
        if isinstance(self.partition_size, bool) or not isinstance(self.partition_size, int) or self.partition_size < 1:
            raise ConfigError(f"--partition-size {self.partition_size!r}: expected a whole number of documents, 1 or more")
        if isinstance(self.ingest.max_bytes, bool) or not isinstance(self.ingest.max_bytes, int) \
                or self.ingest.max_bytes < 1:
            raise ConfigError(f"--max-bytes {self.ingest.max_bytes!r}: expected a whole number of bytes, 1 or more")
        out, sources = Path(self.out).resolve(), Path(self.sources).resolve()
        if out.is_relative_to(sources):  # the next build would read this one's release as sources
            raise ConfigError(f"--out {self.out} is inside --sources {self.sources}: the next build would ingest "
                              "this release; pass an --out folder outside the sources")
        if self.corpus is None:
            object.__setattr__(self, "corpus", read_corpus_info(self.sources))
        if not self.version:
            object.__setattr__(self, "version", self.corpus.version or "0.1.0")
        if not VERSION.fullmatch(self.version):
            raise ConfigError(f"--version {self.version!r}: expected a version like 0.1.0")

    def stage_enabled(self, stage: str) -> bool:
        names = stage_names()
        return names.index(stage) <= names.index(self.until)

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
        for where in ("out", "scheduler", "partition_size", "max_failures"):  # how it ran, not what it computed
            d.pop(where)
        d["ingest"]["extensions"] = list(self.ingest.extensions)
        for key in _LISTS:
            d["corpus"][key] = list(d["corpus"][key])
        return d
