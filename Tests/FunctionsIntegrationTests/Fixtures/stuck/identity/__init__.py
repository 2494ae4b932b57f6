import json
import os


def main(req) -> str:
    with open("/proc/self/cmdline", "rb") as f:
        cmdline = f.read().split(b"\0")
    return json.dumps({
        "cmdline": [a.decode() for a in cmdline if a],
        "variable": os.environ.get("FUNCTIONS_HOST_WORKER_ID"),
    })
