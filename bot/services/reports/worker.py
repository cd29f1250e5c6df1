"""The one worker process that draws reports, so that drawing never holds up the bot.

Reading a month of 100,000 tickets and drawing its chart or workbook takes 1–3 s of CPU: on the event
loop (or under the write lock) it would hold up every reporter, and in a thread it still would,
through the GIL (p95 230 ms at 50 reporters). The process is spawned (a fresh interpreter, rather
than forked from a process with threads), started with the first report and kept: it has matplotlib
loaded. On shutdown a drawing is abandoned, not waited for; its order is kept in the database.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None


def drawing_process() -> Executor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def stop_drawing() -> None:
    """Shutdown: terminate the worker (a report being drawn is drawn again after the restart)."""
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14; before it, no public way
    if terminate is not None:
        terminate()
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


async def run_in_worker(job: Callable[[], T], executor: Executor | None = None) -> T:
    """`job` run in the worker (or in `executor`, which tests set to a thread)."""
    global _pool
    try:
        return await asyncio.get_running_loop().run_in_executor(executor or drawing_process(), job)
    except BrokenProcessPool:  # the worker died (killed, out of memory): a new one for the retry
        _pool = None
        raise
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # this task is being cancelled
        # the job was cancelled by stop_drawing before it started: a failure to draw, not a cancellation
        raise RuntimeError("the report worker was stopped") from None
