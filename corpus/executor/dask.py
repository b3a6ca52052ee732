"""The Dask executor: `--scheduler local:N` (N worker processes on this machine) or
`--scheduler tcp://HOST:PORT` (an existing dask.distributed cluster).

Workers read their partition's sources, and write its documents and annotation pieces into the build's
scratch folder under `--out` (a shared file system on a cluster); tasks return only small things
(doc_ids, signatures, timings). Each worker process loads the spaCy model once.
"""

from __future__ import annotations

from typing import Callable

from ..errors import MissingExtraError
from ._progress import bar

__all__ = ["DaskExecutor"]


class DaskExecutor:
    def __init__(self, scheduler: str, progress: bool = False):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise MissingExtraError("dask[distributed]", "dask", "--scheduler") from None
        self.progress, self.cluster = progress, None
        if scheduler.startswith("local:"):
            self.workers = int(scheduler.split(":", 1)[1])
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler)
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable, tasks: list[tuple], desc: str, sizes: list[int]) -> list:
        """fn(*task) for each task on the cluster; results in task order."""
        from dask.distributed import as_completed

        futures = [self.client.submit(fn, *task, pure=False) for task in tasks]
        size_of = {f.key: s for f, s in zip(futures, sizes)}
        with bar(desc, sum(sizes), self.progress) as progress:
            for future in as_completed(futures):
                progress.update(size_of[future.key])
        return self.client.gather(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:  # the worker processes this build started
            self.cluster.close()
