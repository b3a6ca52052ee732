"""Publish: the only stage that writes. One Parquet file per table cast to `schema/`, the dataset card
(`README.md`, rendered from DATACARD.md with Hugging Face YAML), and `manifest.json` with SHA-256 sums.

The release is written into a temporary sibling folder and renamed into place, under a lock, so a
killed build leaves no partial release; an existing version folder is never overwritten.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ReleaseError
from ..manifest import MANIFEST, sha256_file
from ..tables import TABLES, arrow_schema, table_schema

__all__ = ["publish", "render_card", "card_template"]

_PARQUET = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                version="2.6", data_page_version="1.0", row_group_size=100_000)
_BLOCK = re.compile(r"(<!-- begin:(\w+) -->\n).*?(<!-- end:\2 -->)", re.S)


def _table(name: str, df: pd.DataFrame) -> pa.Table:
    schema = arrow_schema(name)
    key = table_schema(name)["primaryKey"]
    df = df.sort_values(key, kind="stable").reset_index(drop=True)
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False).replace_schema_metadata(schema.metadata)


def card_template() -> str:
    """DATACARD.md of the repository; in an installed wheel, the card of the newest bundled release
    (its generated blocks keep their markers, so it renders again)."""
    here = Path(__file__).resolve().parents[1]
    repository_card = here.parent / "DATACARD.md"
    if repository_card.is_file():
        return repository_card.read_text(encoding="utf-8")
    from ..load import release_dir

    card = (release_dir() / "README.md").read_text(encoding="utf-8")
    return card.split("\n---\n", 1)[1] if card.startswith("---\n") else card


def _yaml_header(tables: list[str], version: str) -> str:
    lines = ["---", "pretty_name: China Digital Governance Corpus", f"version: {version}", "license: other",
             "language:", "- en", "- zh", "multilinguality: multilingual",
             "task_categories:", "- text-classification", "- token-classification",
             "tags:", "- political-science", "- china", "- digital-governance", "- citations", "- glossary",
             "configs:"]
    for t in tables:
        lines += [f"- config_name: {t}", "  data_files:", "  - split: train", f"    path: {t}.parquet"]
    return "\n".join(lines + ["---", ""])


def _md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_none_\n"
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        out.append("| " + " | ".join("" if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                                     else str(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |")
    return "\n".join(out) + "\n"


def _figure_block(figures: dict[str, tuple[bytes, str]]) -> str:
    return "".join(f"![{caption}](figures/{name})\n\n*{caption}*\n\n" for name, (_, caption) in figures.items())


def _generated_blocks(tables: dict[str, pd.DataFrame], baselines: dict[str, pd.DataFrame],
                      figures: dict[str, tuple[bytes, str]], manifest: dict) -> dict[str, str]:
    """The card's generated text: every number comes from the tables and the baselines of this release."""
    docs = tables["documents"]
    counts = pd.DataFrame({"table": list(manifest["tables"]), "rows": [manifest["files"][f"{t}.parquet"]["rows"]
                                                                      for t in manifest["tables"]]})
    status = docs.groupby("status").size().rename("documents").reset_index()
    blocks = {
        "composition": ("Rows per table:\n\n" + _md_table(counts) + "\nDocuments by status:\n\n" + _md_table(status)
                        + "\nPer document (`baselines/composition.csv`):\n\n" + _md_table(baselines["composition"])),
        "documents": _md_table(docs[["doc_id", "source_file", "title", "authors", "publisher", "published",
                                     "license", "status", "language"]]),
        "tools": "```json\n" + json.dumps({"tools": manifest["tools"], "config": manifest["config"]},
                                          indent=2, ensure_ascii=False) + "\n```\n",
        "figures": _figure_block(figures) or "_no figures in this release_\n",
    }
    if "languages" in baselines:
        blocks["languages"] = _md_table(baselines["languages"])
    if "duplicate_clusters" in baselines:
        dup = tables["duplicates"]
        blocks["dedup"] = (f"{dup['cluster_id'].nunique()} cluster(s). Copies by relation to their canonical copy "
                           "(`baselines/duplicate_clusters.csv`):\n\n" + _md_table(baselines["duplicate_clusters"]))
    if "sources" in baselines:
        blocks["sources"] = ("Cited works per document by title language, with URLs and the share archived "
                             "(`baselines/sources.csv`):\n\n" + _md_table(baselines["sources"])
                             + "\nBy kind of container (`baselines/sources_by_kind.csv`):\n\n"
                             + _md_table(baselines["sources_by_kind"]))
    if "glossary" in baselines:
        blocks["glossary"] = _md_table(baselines["glossary"].drop(columns=["paragraphs"]))
    if "top_entities" in baselines:
        blocks["entities"] = ("Most named persons and organisations per document (`baselines/top_entities.csv`):\n\n"
                              + _md_table(baselines["top_entities"]))
    return blocks


def render_card(template: str, blocks: dict[str, str]) -> str:
    """Fill the `<!-- begin:NAME -->…<!-- end:NAME -->` blocks of the card with generated text."""
    return _BLOCK.sub(lambda m: m.group(1) + blocks.get(m.group(2), "_not built in this release_\n") + m.group(3), template)


def _previous_release(out: Path, version: str) -> Path | None:
    from ..load import version_key, versions

    older = [v for v in versions(out) if version_key(v) < version_key(version)]
    return out / older[-1] if older else None


def _write(folder: Path, name: str, data: bytes | str, files: dict) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    files[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}


def _write_release(folder: Path, tables: dict[str, pd.DataFrame], version: str, manifest: dict,
                   previous: Path | None) -> None:
    """Write every file into `folder`; documents.parquet appears last, by an atomic rename, so any
    folder holding a documents.parquet is complete (its manifest and every table already written)."""
    from .. import baselines as baselines_
    from ..diff import changelog
    from ..figures import figures as render_figures
    from ..load import read_table
    from ..metadata import croissant, datapackage

    files, written = {}, {}
    for name in TABLES:
        if name not in tables:
            continue
        path = folder / (f"{name}.parquet.partial" if name == "documents" else f"{name}.parquet")
        table = _table(name, tables[name])
        pq.write_table(table, path, **_PARQUET)
        files[f"{name}.parquet"] = {"sha256": sha256_file(path), "bytes": path.stat().st_size, "rows": table.num_rows}
        written[name] = read_table(path, name)  # baselines read what users will read
    manifest = {**manifest, "version": version, "tables": [t for t in TABLES if t in tables], "files": files}
    baselines = baselines_.compute(written)
    for name, frame_ in baselines.items():
        _write(folder, f"baselines/{name}.csv", baselines_.to_csv(frame_), files)
    figures = render_figures(baselines)
    for name, (png, _) in figures.items():
        _write(folder, f"figures/{name}", png, files)
    _write(folder, "croissant.json", croissant(version, manifest["tables"], files), files)
    _write(folder, "datapackage.json", datapackage(version, manifest["tables"], files), files)
    (folder / "documents.parquet").symlink_to("documents.parquet.partial")  # lets the changelog read it
    try:
        log = changelog(previous, folder, previous.name if previous else None, version)
    finally:
        (folder / "documents.parquet").unlink()
    _write(folder, "CHANGELOG.md", log, files)
    card = _yaml_header(manifest["tables"], version) + render_card(
        card_template(), _generated_blocks(written, baselines, figures, manifest))
    _write(folder, "README.md", card, files)
    manifest["files"] = dict(sorted(files.items()))
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    os.rename(folder / "documents.parquet.partial", folder / "documents.parquet")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _acquire_lock(out: Path, version: str) -> Path:
    lock = out / f".lock-{version}"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                pid = int(lock.read_text() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _pid_alive(pid):
                raise ReleaseError(f"{out}: another build (pid {pid}) is writing version {version}; "
                                   f"wait for it to finish, or remove {lock} if no build is running") from None
            lock.unlink(missing_ok=True)  # left by a killed build
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        return lock
    raise ReleaseError(f"{out}: could not take the lock {lock}; remove it if no build is running")


def _remove_stale_temporaries(out: Path) -> None:
    """Remove temporary folders and locks left by killed builds (their process is gone)."""
    for path in out.glob(".tmp-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _pid_alive(int(pid))):
            shutil.rmtree(path, ignore_errors=True)
    for lock in out.glob(".lock-*"):
        try:
            pid = int(lock.read_text() or 0)
        except (OSError, ValueError):
            pid = 0
        if not (pid and _pid_alive(pid)):
            lock.unlink(missing_ok=True)


def _same_release(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    return names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()) and \
        all(sha256_file(a / n) == sha256_file(b / n) for n in names)


def publish(tables: dict[str, pd.DataFrame], out: Path, version: str, manifest: dict) -> tuple[Path, bool]:
    """Write `tables` as release `out/version`; returns (folder, written).

    `written` is False when an identical release already exists (a no-op). A different existing
    release raises ReleaseError naming the version.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final = out / version
    lock = _acquire_lock(out, version)
    try:
        _remove_stale_temporaries(out)
        tmp = out / f".tmp-{version}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        _write_release(tmp, tables, version, manifest, _previous_release(out, version))
        if final.exists():
            same = _same_release(tmp, final)
            shutil.rmtree(tmp)
            if same:
                return final, False
            raise ReleaseError(f"{final}: version {version} already exists with different contents and is never "
                               f"overwritten; build a new version with --version (e.g. a higher patch number)")
        os.rename(tmp, final)
        dir_fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return final, True
    finally:
        lock.unlink(missing_ok=True)
