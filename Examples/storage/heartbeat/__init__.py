"""A timer every 5 seconds: puts one message on the queue `ticks`."""
import datetime
import logging

import azure.functions as func


def main(timer: func.TimerRequest, tick: func.Out[str]) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    if timer.past_due:
        logging.warning("the timer is past due")
    tick.set(f"tick at {now} (past due: {timer.past_due})")
