"""The `corpus` command: argument parsing only; each command calls one library function."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import baselines
from .config import BUNDLED_SOURCES, DEFAULT_RELEASES, VERSION, BuildConfig, IngestConfig
from .diff import changelog, diff, release_differences
from .errors import ChecksumError, CorpusError, SourcesError
from .executor import build
from .export import export, show
from .load import find_release, info, load, search_path, table_paths
from .manifest import verify
from .pipeline import layers
from .site import write_site
from .tables import TABLES
from .untrusted import refuse_inside_release, terminal_safe


def _version(text: str) -> str:
    if not VERSION.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a version like 0.1.0, got {text!r}")
    return text


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corpus", description="Build, inspect and verify the China Digital Governance Corpus.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build a release from a folder of sources")
    b.add_argument("--sources", type=Path, default=BUNDLED_SOURCES, help="folder of .txt/.md/.html files (default: bundled)")
    b.add_argument("--out", type=Path, default=DEFAULT_RELEASES, help=f"releases folder (default: ./{DEFAULT_RELEASES})")
    b.add_argument("--version", type=_version, default=None,
                   help="release version X.Y.Z (default: `version` of the corpus configuration, else 0.1.0)")
    b.add_argument("--until", choices=layers.stage_names(), default="publish",
                   help="stop after this stage; what exists goes to OUT/scratch/, not to a release")
    b.add_argument("--max-bytes", type=int, default=IngestConfig.max_bytes, help="reject larger input files")
    b.add_argument("--max-chars", type=int, default=IngestConfig.max_chars,
                   help="reject documents whose text is longer (before any layer annotates them)")
    b.add_argument("--scheduler", default=None, help="local:N or tcp://HOST:PORT to run on Dask (needs [dask])")
    b.add_argument("--partition-size", type=int, default=BuildConfig.partition_size,
                   help="documents read and annotated at once (bounds memory; one Dask task each)")
    b.add_argument("--resume", action="store_true",
                   help="go on with the failed or killed build of this version under --out: skip its finished "
                        "partitions (refused if its sources or settings differ); the release is the same")
    b.add_argument("--max-failures", type=int, default=None, metavar="N",
                   help="documents whose work may raise (each left out of that layer and listed in the failures "
                        "table) before the build stops unpublished (default: $CORPUS_MAX_FAILURES, else 1%% of the "
                        "source files, at least 1)")
    places = f"default: ./{DEFAULT_RELEASES}, then the releases bundled with the package"
    i = sub.add_parser("info", help="list releases, tables and row counts")
    i.add_argument("--releases", type=Path, default=None, help=f"releases folder ({places})")
    v = sub.add_parser("verify", help="recompute every checksum of a release")
    v.add_argument("release", nargs="?", type=Path, help="release folder (default: the newest release found)")
    v.add_argument("--version", default=None, help="a release version instead of a folder")
    v.add_argument("--releases", type=Path, default=None, help=f"where to look for --version ({places})")
    bl = sub.add_parser("baselines", help="recompute the research baselines of a release as CSV files")
    bl.add_argument("--version", default=None, help="release version (default: the newest)")
    bl.add_argument("--releases", type=Path, default=None, help=f"releases folder ({places})")
    bl.add_argument("--out", type=Path, default=Path("baselines"), help="folder for the CSV files")
    d = sub.add_parser("diff", help="IDs added, removed and changed per table between two releases")
    d.add_argument("old", help="version or release folder")
    d.add_argument("new", help="version or release folder")
    d.add_argument("--releases", type=Path, default=None, help=f"releases folder ({places})")
    d.add_argument("--markdown", action="store_true", help="print a CHANGELOG.md section instead of CSV")
    d.add_argument("--files", action="store_true",
                   help="print which tables and files differ, and which tool versions, instead of IDs")
    st = sub.add_parser("site", help="write a static site to read, browse and search a release (opens from file://)")
    st.add_argument("--version", default=None, help="release version (default: the newest)")
    st.add_argument("--releases", type=Path, default=None, help=f"releases folder ({places})")
    st.add_argument("--out", type=Path, default=None, help="site folder (default: ./build/site/<version>/)")
    ex = sub.add_parser("export", help="write one table of a release as CSV, JSON Lines or Parquet")
    ex.add_argument("table", help="documents, sections, paragraphs, sentences, spans, entities, citations, ...")
    ex.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv", help="default: csv")
    ex.add_argument("--version", default=None, help="release version (default: the newest)")
    ex.add_argument("--releases", type=Path, default=None, help=f"releases folder ({places})")
    ex.add_argument("--where", action="append", default=[], metavar="COLUMN=VALUE",
                    help="keep only the rows where COLUMN equals VALUE (repeat: all must hold)")
    ex.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    sh = sub.add_parser("show", help="one document: title, metadata, annotation counts and text")
    sh.add_argument("document", help="a doc_id, or a source file name such as 108_938273dbf0c4.txt")
    sh.add_argument("--version", default=None, help="release version (default: the newest)")
    sh.add_argument("--releases", type=Path, default=None, help=f"releases folder ({places})")
    return p


def _export(args) -> int:
    if args.out is None:
        sys.stdout.flush()
        export(args.table, args.format, sys.stdout.buffer, args.version, args.releases, args.where)
        sys.stdout.buffer.flush()
        return 0
    refuse_inside_release(args.out, "the export file")
    # Written beside its destination and renamed at the end: a failed export leaves the old file as it was.
    partial = args.out.with_name(f".{args.out.name}.partial")
    try:
        with partial.open("wb") as fh:
            rows = export(args.table, args.format, fh, args.version, args.releases, args.where)
        os.replace(partial, args.out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"{args.out}: {rows} rows of {args.table}", file=sys.stderr)
    return 0


def _show(args) -> int:
    print(terminal_safe(show(args.document, args.version, args.releases)), end="")
    return 0


def _find_release(version: str | None, releases: Path | None) -> Path:
    """The folder of `version` (default: the newest): the loader's search path (corpus.load.find_release)."""
    return find_release(version, releases)


def _release_arg(value: str, releases: Path | None) -> Path:
    return Path(value) if Path(value).is_dir() else _find_release(value, releases)


def _baselines(args) -> int:
    folder = _find_release(args.version, args.releases)
    refuse_inside_release(args.out, "the baselines folder")
    tables = {t: load(t, folder.name, releases=folder.parent) for t in TABLES if table_paths(folder, t)}
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in baselines.compute(tables, layers.LAYERS).items():
        (args.out / f"{name}.csv").write_text(baselines.to_csv(frame), encoding="utf-8")
        print(f"{args.out / (name + '.csv')}: {len(frame)} rows")
    return 0


def _diff(args) -> int:
    old, new = _release_arg(args.old, args.releases), _release_arg(args.new, args.releases)
    if args.files:
        differences = release_differences(old, new)
        print("tables: " + (", ".join(differences["tables"]) or "identical"))
        print("other files: " + (", ".join(differences["files"]) or "identical"))
        for tool, (a, b) in differences["tools"].items():
            print(f"tool {tool}: {a} -> {b}")
        return 0
    if args.markdown:
        print(changelog(old, new, old.name, new.name), end="")
    else:
        print(diff(old, new).to_csv(index=False, lineterminator="\n"), end="")
    return 0


def _site(args) -> int:
    folder = _find_release(args.version, args.releases)
    result = write_site(folder, args.out or Path("build") / "site" / folder.name)
    print(f"{result.out}: {result.documents} documents, {result.pages} pages; open {result.out / 'index.html'}")
    return 0


def _build(args) -> int:
    refuse_inside_release(args.out, "--out")
    config = BuildConfig.from_cli(args, os.environ)
    result = build(config, progress=sys.stderr.isatty(), resume=args.resume)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    state = "written" if result.written else "unchanged (identical release already present)"
    if config.partial:
        state = f"partial build up to {config.until} written (a scratch folder, not a release)"
    print(f"{result.release}: {state}")
    print(result.summary())
    return 0


def _info(args) -> int:
    places = search_path(args.releases)
    releases = [r for place in places for r in info(place)]
    if not releases:
        print("no releases found in " + ", ".join(map(str, places)))
    for r in releases:
        print(f"{r['version']}  {r['path']}")
        for table, n in r["rows"].items():
            print(f"  {table:<12} {n:>8} rows")
    return 0


def _verify(args) -> int:
    folder = args.release or _find_release(args.version, args.releases)
    try:
        manifest = verify(folder)
    except ChecksumError as e:
        for name, expected, actual in e.mismatches:
            print(f"{folder}/{name}: expected sha256 {expected}, got {actual}", file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{folder}: {len(manifest['files'])} files match manifest.json")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        commands = {"build": _build, "info": _info, "verify": _verify, "baselines": _baselines, "diff": _diff,
                    "site": _site, "export": _export, "show": _show}
        code = commands[args.command](args)
        sys.stdout.flush()
        return code
    except SourcesError as e:
        for problem in e.problems:
            print(f"error: {problem}", file=sys.stderr)
        return e.exit_code
    except CorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        _resume_hint(e)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted; rerun with --resume" if args.command == "build" else "interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, and keep Python from failing again at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as e:  # a file system refusal outside the pipeline's own checks: one line, no traceback
        if e.errno == errno.ENOSPC or "No space left on device" in str(e):  # Arrow's write errors carry no errno
            place = e.filename or getattr(args, "out", None) or "the output folder"
            print(f"error: no space left on the disk of {place} while writing; free space there or pass --out "
                  "on another disk, then rerun", file=sys.stderr)
            return 1
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {where}{e.strerror or e}", file=sys.stderr)
        _resume_hint(e)
        return 1
    except Exception as e:  # a bug: its traceback, then how to keep what the build finished
        _resume_hint(e)
        raise


def _resume_hint(error: BaseException) -> None:
    if hint := getattr(error, "resume_hint", None):
        print(hint, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
