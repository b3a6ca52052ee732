"""A progress bar per stage, in documents/s, shown on a terminal only."""

from __future__ import annotations

import contextlib
import sys


class _Silent:
    def update(self, n: int) -> None:
        pass


@contextlib.contextmanager
def bar(desc: str, total: int, show: bool):
    if not (show and sys.stderr.isatty()):
        yield _Silent()
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="doc", file=sys.stderr, leave=True) as progress:
        yield progress
