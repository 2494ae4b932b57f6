import threading
import time


def main(req):
    time.sleep(0.5)
    return threading.current_thread().name
