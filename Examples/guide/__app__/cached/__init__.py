import time

import azure.functions as func

CACHED_DATA = None


def load_json():
    time.sleep(0.1)  # an expensive computation
    return {'loaded_at': time.time(), 'calls': 0}


def main(req: func.HttpRequest) -> str:
    global CACHED_DATA
    if CACHED_DATA is None:
        CACHED_DATA = load_json()

    # ... use CACHED_DATA in code
    CACHED_DATA['calls'] += 1
    return f"computed once, used {CACHED_DATA['calls']} time(s)"
