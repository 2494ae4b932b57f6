import os

CACHED_DATA = None
CALLS = 0


def load_json():
    return {"loaded_by": os.getpid()}


def main(req):
    global CACHED_DATA, CALLS
    if CACHED_DATA is None:
        CACHED_DATA = load_json()
    CALLS += 1
    return f"{CACHED_DATA['loaded_by']} {CALLS}"
