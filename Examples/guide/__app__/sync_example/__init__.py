# Runs in an asyncio thread-pool (PYTHON_THREADPOOL_THREAD_COUNT threads)
import threading
import time

import azure.functions as func


def some_blocking_socket_io():
    time.sleep(0.5)


def main(req: func.HttpRequest) -> str:
    some_blocking_socket_io()
    return f'blocked {threading.current_thread().name} only'
