"""The errors the package raises. The CLI turns each into one line and a non-zero exit."""

from __future__ import annotations

__all__ = [
    "CorpusError",
    "SourcesError",
    "ConfigError",
    "ReleaseError",
    "SchemaError",
    "UnknownNameError",
    "ChecksumError",
    "MissingExtraError",
    "FailuresError",
    "ResumeError",
]


class CorpusError(Exception):
    """Base class: every error this package raises on purpose."""

    exit_code = 1


class SourcesError(CorpusError):
    """The sources folder or its `sources.toml` is unusable; nothing was published.

    `problems` lists every problem found, each already phrased as `file:line: what, expected, fix`.
    """

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = self.problems[0] if self.problems else "invalid sources"
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        super().__init__(head + more)


class ConfigError(CorpusError):
    """A build option is unusable (scheduler, version, stage); nothing was read or written."""

    exit_code = 2


class ReleaseError(CorpusError):
    """A release folder cannot be written: it exists with other bytes, or another build holds the lock."""

    exit_code = 3


class UnknownNameError(CorpusError, KeyError):
    """An unknown table, version or stage; the message lists the available names."""

    def __init__(self, kind: str, name: str, available: list[str], where=None):
        self.kind, self.name, self.available = kind, name, list(available)
        shown = ", ".join(self.available) if self.available else "none"
        looked = f" (looked in {where}; pass --releases DIR, or releases=DIR, for another folder)" if where else ""
        super().__init__(f"unknown {kind} {name!r}. Available {kind}s: {shown}{looked}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class ChecksumError(CorpusError):
    """Files of a release do not match its manifest; `mismatches` holds (file, expected, actual)."""

    exit_code = 1

    def __init__(self, release: str, mismatches: list[tuple[str, str, str]]):
        self.mismatches = list(mismatches)
        files = ", ".join(m[0] for m in self.mismatches)
        super().__init__(f"{release}: checksum mismatch in {files}; the release is damaged, rebuild or re-download it")


class SchemaError(CorpusError):
    """A table file's columns or types differ from `schema/`; `problems` names each column and what was found."""

    _DAMAGED = "the file is damaged or from another version of the package, rebuild or re-download it"

    def __init__(self, table: str, path: str, problems: list[str], advice: str = _DAMAGED):
        self.table, self.problems = table, list(problems)
        super().__init__(f"{path}: table {table!r} does not match schema/{table}.json: {'; '.join(self.problems)}; "
                         f"{advice}")


class MissingExtraError(CorpusError, ImportError):
    """An optional dependency is missing; the message names the extra that installs it."""

    def __init__(self, module: str, extra: str, purpose: str):
        super().__init__(
            f"{purpose} needs the '{module}' package: pip install 'china-digital-governance-corpus[{extra}]'"
        )


class FailuresError(CorpusError):
    """More documents raised inside a layer than `--max-failures` allows; nothing was published.

    `failures` holds every failure found (guard.Failure); the message names the first failing file.
    The finished partitions stay in the work folder: fix the bug and rerun with --resume.
    """

    exit_code = 4

    def __init__(self, failures: list, allowed: int):
        self.failures = list(failures)
        first = min(self.failures, key=lambda f: (f.source_file or "", f.doc_id, f.layer))
        documents = len({f.doc_id for f in self.failures})
        super().__init__(f"{documents} document(s) failed, more than --max-failures {allowed}; first: {first.line()}; "
                         "nothing was published")


class ResumeError(CorpusError):
    """`--resume` found no unfinished build of this version, or one started with other sources or settings."""

    exit_code = 2
