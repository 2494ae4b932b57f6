"""Pipeline step 1: an order on the queue `orders` (JSON with an `id`) becomes the blob receipts/{id}.json.

`{id}` in the output path is a binding expression: the top-level `id` property of the JSON message.
"""
import json
import logging

import azure.functions as func


def main(order: func.QueueMessage, receipt: func.Out[str]) -> None:
    body = order.get_json()
    logging.info("order %s (dequeue count %s)", body["id"], order.dequeue_count)
    total = sum(item["price"] * item.get("quantity", 1) for item in body.get("items", []))
    receipt.set(json.dumps({"id": body["id"], "total": total, "message_id": order.id}))
