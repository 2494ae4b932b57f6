# Skewed load for the balancer benchmark (scripts/bench/balancer.sh).
# GET /api/work                  -> cheap answer
# GET /api/work?heavy=1          -> first holds the worker's only thread for 200 ms (?ms=N to change it):
#     &mode=cpu   (default) burns 200 ms of this thread's CPU time (longer in wall time when cores are shared)
#     &mode=wall  spins until 200 ms of wall time have passed (uses CPU, but a fixed duration)
#     &mode=sleep blocks 200 ms without using CPU (isolates the balancer's choice from CPU contention)
# A *sync* function: with PYTHON_THREADPOOL_THREAD_COUNT=1 (local.settings.json) each worker runs
# one call at a time, so a cheap call sent to a worker busy with a heavy one waits behind it.
import time

import azure.functions as func


def main(req: func.HttpRequest) -> str:
    if not req.params.get("heavy"):
        return "light"
    seconds = float(req.params.get("ms", "200")) / 1000.0
    mode = req.params.get("mode", "cpu")
    if mode == "sleep":
        time.sleep(seconds)
        return "heavy sleep"
    clock = time.perf_counter if mode == "wall" else time.thread_time
    end = clock() + seconds
    n = 0
    while clock() < end:
        n += 1
    return f"heavy {mode} {n}"
