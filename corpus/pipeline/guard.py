"""Per-document fault isolation: one bad document never kills a build.

A layer runs on its whole partition, as without the guard; only when that raises is it run again on
halves of the partition, recursively, until each failing document is alone. Those documents get a
`failures` row (doc_id, layer, exception, message, frame) and none of the layer's rows; the rest keep
exactly the rows a whole-partition run gives them, because every layer's rows for a document depend on
that document alone (and on the whole-build lookups passed as `context`). A build without failures pays
one try block per layer and partition.

Errors raised on purpose (CorpusError: a missing extra, a bad configuration) are not a document's fault
and pass straight up, as do KeyboardInterrupt and SystemExit.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from ..errors import CorpusError
from ..tables import frame

__all__ = ["Failure", "guarded", "run_layer", "failure_rows", "reader_failure", "FAILURES"]

# The table the guard writes: one row per document and layer that raised (schema/failures.json).
FAILURES = "failures"

_PACKAGE = Path(__file__).resolve().parents[1]  # corpus/
_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class Failure:
    doc_id: str
    layer: str
    exception: str
    message: str
    frame: str | None
    source_file: str | None = None  # for the build's error line; the table joins documents for it

    def row(self) -> dict:
        return {"doc_id": self.doc_id, "layer": self.layer, "exception": self.exception, "message": self.message,
                "frame": self.frame}

    def line(self) -> str:
        where = f" at {self.frame}" if self.frame else ""
        return f"{self.source_file or self.doc_id}: {self.layer}: {self.exception}: {self.message}{where}"


def _frame(error: BaseException) -> str | None:
    """The innermost traceback frame in the package's own files: where the bug is to be looked for."""
    inside = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve().is_relative_to(_PACKAGE) and Path(f.filename).resolve() != Path(__file__).resolve()]
    if not inside:
        return None
    f = inside[-1]
    return f"{Path(f.filename).resolve().relative_to(_PACKAGE.parent).as_posix()}:{f.lineno} {f.name}"


def _failure(doc_id: str, layer: str, error: Exception) -> Failure:
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    message = " ".join(str(error).split())[:_MESSAGE_CHARS]
    return Failure(doc_id, layer, name, message, _frame(error))


def reader_failure(doc_id: str, error: Exception) -> Failure:
    """The failure of ingest's reader on one file (which ingest rejects, `reader_error`)."""
    return _failure(doc_id, "ingest", error)


def guarded(layer: str, doc_ids: Callable[[], list[str]], attempt: Callable[[list[str] | None], object],
            failures: list[Failure]) -> list[tuple[list[str] | None, object]]:
    """[(ids, attempt(ids))] for the parts of the partition whose attempt does not raise; every document
    whose attempt alone raises is appended to `failures`. attempt(None) is the whole, unfiltered partition;
    doc_ids() lists its documents, asked for only when that raised (a build without failures pays nothing)."""
    try:
        return [(None, attempt(None))]
    except CorpusError:
        raise
    except Exception:
        ids = list(doc_ids())
        if not ids:
            raise  # nothing to blame it on: a bug outside any document's work
    return _bisect(layer, ids, attempt, failures)


def _bisect(layer, ids, attempt, failures):
    if len(ids) == 1:
        try:
            return [(ids, attempt(ids))]
        except CorpusError:
            raise
        except Exception as e:
            failures.append(_failure(ids[0], layer, e))
            return []
    half = len(ids) // 2
    done = []
    for part in (ids[:half], ids[half:]):
        try:
            done.append((part, attempt(part)))
        except CorpusError:
            raise
        except Exception:
            done.extend(_bisect(layer, part, attempt, failures))
    return done


def _only(df, ids: set[str]):
    return df[df["doc_id"].isin(ids)].reset_index(drop=True)


def run_layer(layer, tables: dict, config, failures: list[Failure]) -> dict:
    """layer.run over `tables`, guarded; returns {table: rows} with what it produced (and new versions of
    what it needs). A failing document keeps its rows of the tables the layer read, unchanged."""
    given = {t: tables[t] for t in layer.needs if tables.get(t) is not None}
    per_doc = [t for t in given if t not in layer.context]

    def doc_ids():
        return sorted(set().union(*(set(given[t]["doc_id"]) for t in per_doc)))

    def attempt(part):
        if part is None:
            return layer.run(given, config)
        keep = set(part)
        return layer.run({t: _only(df, keep) if t in per_doc else df for t, df in given.items()}, config)

    done = guarded(layer.name, doc_ids, attempt, failures)
    if len(done) == 1 and done[0][0] is None:
        return done[0][1]
    failed = {f.doc_id for f in failures if f.layer == layer.name}
    names = list(dict.fromkeys(list(layer.produces) + [t for r in done for t in r[1]]))
    out = {}
    for name in names:
        parts = [r[1][name] for r in done if name in r[1]]
        if name in per_doc:  # the failing documents' rows as the layer found them, then the input's order
            parts.append(_only(given[name], failed))
            merged = pd.concat(parts, ignore_index=True)
            order = {d: i for i, d in enumerate(dict.fromkeys(given[name]["doc_id"]))}
            merged = merged.iloc[merged["doc_id"].map(order).argsort(kind="stable")].reset_index(drop=True)
        else:
            merged = pd.concat(parts, ignore_index=True) if parts else frame(name, [])
        out[name] = merged
    return out


def failure_rows(failures: list[Failure]):
    return frame(FAILURES, [f.row() for f in failures])
