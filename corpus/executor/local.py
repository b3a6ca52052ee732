"""The streaming in-process executor: partitions run one after another in this process, so memory
holds one partition's tables (plus dedup's signatures), whatever the size of the corpus."""

from __future__ import annotations

from typing import Callable

from ._progress import bar

__all__ = ["LocalExecutor"]


class LocalExecutor:
    workers = 1

    def __init__(self, progress: bool = False):
        self.progress = progress

    def map(self, fn: Callable, tasks: list[tuple], desc: str, sizes: list[int]) -> list:
        """fn(*task) for each task, in order; `sizes` (documents per task) drive the progress bar."""
        results = []
        with bar(desc, sum(sizes), self.progress) as progress:
            for task, size in zip(tasks, sizes):
                results.append(fn(*task))
                progress.update(size)
        return results

    def close(self) -> None:
        pass
