"""Names that come from outside the code: file names listed in a manifest, IDs that become file names,
folders given on the command line, text printed to a terminal.

A release folder, a sources folder and a work folder are all untrusted input: a manifest may list
`../../outside.txt`, a table may hold a `doc_id` of `../escaped`, a release may hold a symlink to a file
elsewhere, a title may carry terminal escape sequences. Everything here refuses or neutralises such input
with a `CorpusError` that names the offending value, so no command reads, writes or prints outside what
the user asked for.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

from .errors import CorpusError

__all__ = ["MANIFEST", "member", "file_name", "release_holding", "refuse_inside_release", "terminal_safe"]

MANIFEST = "manifest.json"  # the file that makes a folder a release (manifest.MANIFEST re-exports it)
# An ID used as a file name: ASCII letters, digits, '.', '_' and '-', not starting with a dot (no hidden
# file, no '..'), short enough for every file system.
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,199}")


def member(root: Path, name, what: str) -> Path:
    """`root / name` for a relative POSIX `name` that stays inside `root`: no absolute path, no `..`, no
    backslash or NUL, and no symlink on the way (a link may point anywhere). CorpusError otherwise."""
    problem = None
    if not isinstance(name, str) or not name:
        problem = "is not a file name"
    elif "\x00" in name or "\\" in name:
        problem = "contains a NUL or a backslash"
    elif PurePosixPath(name).is_absolute() or re.match(r"[A-Za-z]:", name):
        problem = "is an absolute path"
    elif ".." in PurePosixPath(name).parts:
        problem = "leaves its folder through '..'"
    else:
        path, current = Path(root) / name, Path(root)
        for part in PurePosixPath(name).parts:
            current = current / part
            if current.is_symlink():
                problem = f"is a symbolic link ({current.relative_to(root).as_posix()})"
                break
        else:
            return path
    raise CorpusError(f"{root}: {what} {name!r} {problem}; refusing to follow it (the folder was made or edited by "
                      "someone other than `corpus build`: rebuild or re-download it)")


def file_name(value, what: str) -> str:
    """`value` when it is safe as one file name (ASCII letters, digits, '.', '_', '-'; no leading dot)."""
    if isinstance(value, str) and _FILE_NAME.fullmatch(value):
        return value
    raise CorpusError(f"{what} {value!r} cannot be a file name (expected ASCII letters, digits, '.', '_' or '-', "
                      "not starting with a dot); the release was not written by `corpus build`: rebuild it")


def release_holding(path: Path) -> Path | None:
    """The release folder (one holding manifest.json) that `path` is or lies inside, else None. `path` need
    not exist; symlinks on the way are resolved, so a link into a release counts as inside it."""
    current = Path(path).resolve()
    for folder in (current, *current.parents):
        if (folder / MANIFEST).is_file():
            return folder
    return None


def refuse_inside_release(path: Path, what: str) -> None:
    """CorpusError when writing `path` would change a release: only publish writes inside one."""
    release = release_holding(path)
    if release is not None:
        raise CorpusError(f"{what} {path} is inside the release {release}; a release is never written to after "
                          "publishing: choose a folder outside it")


def terminal_safe(text: str) -> str:
    """`text` with control characters (escape sequences, bells, carriage returns; C0, C1, bidi controls)
    shown as `\\x1b`-style escapes, so printing a title or a text cannot drive the terminal. Newlines and
    tabs are kept."""
    return "".join(ch if ch in "\n\t" or not _is_control(ch) else _escaped(ch) for ch in text)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d"  # ZWNJ/ZWJ shape scripts


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
