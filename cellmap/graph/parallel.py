"""Spread independent pieces of one analysis over the machine's cores with forked workers.

A forked worker inherits the parent's memory, so the graph and the function reach it without
pickling; only the small arguments and the results travel. Used where the pieces are independent
and each takes long enough to pay for the fork (sampled betweenness batches, key-player
evaluations). Falls back to a plain loop with one worker, where ``fork`` is unavailable, or once
`forbid_fork` was called: a threaded server (the workbench) must not fork, since a child would
inherit locks held by other threads; there the analyses run in the calling thread.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

__all__ = ["default_workers", "fork_allowed", "forbid_fork", "worker_pool"]

_TASK: Callable | None = (
    None  # the function, inherited by forked workers (closures need no pickling)
)


_FORK_ALLOWED = True


def forbid_fork() -> None:
    """From now on this process runs every analysis in the calling thread (called by the web app)."""
    global _FORK_ALLOWED
    _FORK_ALLOWED = False


def fork_allowed() -> bool:
    return _FORK_ALLOWED and "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    return os.cpu_count() or 1


def _run(argument):
    assert _TASK is not None  # set by worker_pool before the workers fork
    return _TASK(argument)


@contextmanager
def worker_pool(task: Callable, workers: int) -> Iterator[Callable[[Sequence], list]]:
    """Yield ``map(arguments) -> results`` running ``task`` over ``workers`` forked processes
    (in order), or in this process when ``workers <= 1`` or fork is unavailable."""
    global _TASK
    if workers <= 1 or not fork_allowed():
        yield lambda arguments: [task(a) for a in arguments]
        return
    _TASK = task
    pool = multiprocessing.get_context("fork").Pool(processes=workers)
    try:
        yield lambda arguments: pool.map(_run, list(arguments))
    finally:
        pool.terminate()
        pool.join()
        _TASK = None
