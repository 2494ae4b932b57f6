"""SyncRunner: the pool that runs sync functions (ThreadPoolExecutor's semantics, cheaper)."""
import asyncio
import contextvars
import threading

from fakehost import run


def test_results_errors_and_context_reach_the_event_loop(worker_module):
    async def scenario():
        runner = worker_module.SyncRunner(2)
        var = contextvars.ContextVar("v", default="unset")

        def read(suffix):
            return f"{var.get()}{suffix} in {threading.current_thread().name}"

        def fail():
            raise StopIteration("odd but possible")

        var.set("ctx")
        ok = await runner.submit(contextvars.copy_context(), read, {"suffix": "!"})
        err = await runner.submit(contextvars.copy_context(), fail, {})
        assert ok[1] is None and ok[0].startswith("ctx! in functions-sync_")
        assert err[0] is None and isinstance(err[1], StopIteration)
        assert runner.shutdown(cancel_pending=True) is False
    run(scenario())


def test_no_more_threads_than_asked_and_queued_calls_wait(worker_module):
    async def scenario():
        earlier = set(threading.enumerate())  # other tests' pools may still be winding down
        runner = worker_module.SyncRunner(2)
        release, two_running = threading.Event(), threading.Event()
        lock = threading.Lock()
        running = {"now": 0, "peak": 0}

        def block(n):
            with lock:
                running["now"] += 1
                running["peak"] = max(running["peak"], running["now"])
                if running["now"] == 2:
                    two_running.set()
            release.wait(10)
            with lock:
                running["now"] -= 1
            return n

        futures = [runner.submit(contextvars.copy_context(), block, {"n": n}) for n in range(6)]
        assert await asyncio.to_thread(two_running.wait, 10)
        assert running["now"] == 2  # the other four wait in the queue
        release.set()
        assert [result for result, _ in await asyncio.gather(*futures)] == list(range(6))
        assert running["peak"] == 2
        assert len([t for t in set(threading.enumerate()) - earlier
                    if t.name.startswith("functions-sync_") and t.is_alive()]) <= 2
        runner.shutdown(cancel_pending=True)
    run(scenario())


def test_a_call_cancelled_while_queued_never_runs_and_shutdown_reports_busy(worker_module):
    async def scenario():
        runner = worker_module.SyncRunner(1)
        release, started, ran = threading.Event(), threading.Event(), []

        def hold():
            started.set()
            return release.wait(10)

        def record():
            ran.append(1)

        first = runner.submit(contextvars.copy_context(), hold, {})
        second = runner.submit(contextvars.copy_context(), record, {})
        second.cancel()
        assert await asyncio.to_thread(started.wait, 10)
        assert runner.shutdown(cancel_pending=True) is True  # the first call is still running
        release.set()
        assert (await first)[0] is True
        # The pool's thread ends only after it went past every queued item, the cancelled one too.
        for thread in list(runner._threads):
            await asyncio.to_thread(thread.join, 10)
            assert not thread.is_alive()
        assert ran == []
    run(scenario())


def test_cancel_says_whether_a_thread_already_runs_the_call(worker_module):
    async def scenario():
        runner = worker_module.SyncRunner(1)
        release, started, ran = threading.Event(), threading.Event(), []

        def hold():
            started.set()
            return release.wait(10)

        first = runner.submit(contextvars.copy_context(), hold, {})
        queued = runner.submit(contextvars.copy_context(), lambda: ran.append(1), {})
        assert await asyncio.to_thread(started.wait, 10)
        assert runner.cancel(first) is True  # running: it goes on, its result is dropped
        assert runner.cancel(queued) is False  # queued: dropped, never runs
        release.set()
        runner.shutdown(cancel_pending=False)
        for thread in list(runner._threads):
            await asyncio.to_thread(thread.join, 10)
        assert ran == []
        assert first.cancelled()
    run(scenario())
