"""Sync runner: runs synchronous functions on worker threads."""
from __future__ import annotations

import asyncio
import collections.abc
import contextvars
import os
import queue
import threading
import typing


class SyncRunner:
    """Runs sync functions on a pool of ``functions-sync_N`` threads (as many as
    ThreadPoolExecutor would: PYTHON_THREADPOOL_THREAD_COUNT, else min(32, CPUs + 4), started on
    demand). Cheaper per call than ThreadPoolExecutor + asyncio.wrap_future: a call is one
    SimpleQueue item, and results come back to the event loop in batches (one loop wake-up for
    every result that is ready)."""

    def __init__(self, max_workers: typing.Optional[int] = None) -> None:
        self._max = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self._queue: "queue.SimpleQueue" = queue.SimpleQueue()
        self._threads: typing.List[threading.Thread] = []
        self._lock = threading.Lock()
        self._idle = 0          # threads waiting for work (under _lock)
        self._pending = 0       # submitted calls not finished or dropped yet (under _lock)
        self._done: collections.deque = collections.deque()
        self._wake_scheduled = False
        self._loop: typing.Optional[asyncio.AbstractEventLoop] = None
        self._shut = False
        self._running: typing.Set[asyncio.Future] = set()  # calls a thread has started (under _lock)

    def submit(self, context: contextvars.Context, func: typing.Callable,
               kwargs: typing.Dict[str, typing.Any]) -> asyncio.Future:
        """Calls ``context.run(func, **kwargs)`` in a pool thread; the future (of this event loop)
        gets ``(result, None)`` or ``(None, exception)``. Cancelling it before the call starts
        drops the call."""
        if self._shut:
            raise RuntimeError("cannot schedule new calls after shutdown")
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._pending += 1
            start = self._idle == 0 and len(self._threads) < self._max
            if not start:
                self._idle -= 1 if self._idle else 0
        self._queue.put((future, context, func, kwargs))
        if start:
            thread = threading.Thread(target=self._work, daemon=True,
                                      name=f"functions-sync_{len(self._threads)}")
            self._threads.append(thread)
            thread.start()
        return future

    def _work(self) -> None:
        get, done, lock = self._queue.get, self._done, self._lock
        while True:
            item = get()
            if item is None:
                return
            future, context, func, kwargs = item
            outcome: typing.Tuple[typing.Any, typing.Optional[BaseException]] = (None, None)
            with lock:  # decided together with cancel(): a call either runs or is dropped
                start = not future.cancelled()  # a call cancelled while queued never runs
                if start:
                    self._running.add(future)
            if start:
                try:
                    outcome = (context.run(func, **kwargs), None)
                except BaseException as exc:  # noqa: B036 -- delivered to the invocation
                    outcome = (None, exc)
            item = None
            with lock:
                self._running.discard(future)
                self._pending -= 1
                self._idle += 1
            done.append((future, outcome))
            del future, outcome
            if not self._wake_scheduled:
                self._wake_scheduled = True
                try:
                    self._loop.call_soon_threadsafe(self._deliver)
                except RuntimeError:  # loop closed: nobody is waiting any more
                    pass

    def cancel(self, future: asyncio.Future) -> bool:
        """Cancels a submitted call (on the event loop): a queued call is dropped and never runs.
        Returns True if a thread already runs it: it goes on (a thread cannot be stopped) and its
        result will be dropped."""
        with self._lock:
            future.cancel()
            return future in self._running

    def _deliver(self) -> None:
        """On the event loop: hands every finished call's outcome to its future."""
        self._wake_scheduled = False  # cleared before draining: a later result schedules again
        done = self._done
        while done:
            future, outcome = done.popleft()
            if not future.done():
                future.set_result(outcome)

    def shutdown(self, cancel_pending: bool) -> bool:
        """Stops the threads once the queue is drained (dropping queued calls if
        ``cancel_pending``); returns True if calls are still queued or running."""
        self._shut = True
        busy = self._pending > 0
        if cancel_pending:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
                    with self._lock:
                        self._pending -= 1
        for _ in self._threads:
            self._queue.put(None)
        return busy


def _thread_count() -> typing.Optional[int]:
    value = os.environ.get("PYTHON_THREADPOOL_THREAD_COUNT", "")
    try:
        count = int(value)
    except ValueError:
        return None
    return count if count > 0 else None
