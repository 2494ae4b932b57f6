"""Unit tests of the storage example, written as the developer guide writes them: call `main` with
azure.functions objects, no host involved. `scripts/test-python.sh` runs them from the example folder."""
import datetime
import io
import json
import unittest

import azure.functions as func
from azure.functions.timer import TimerRequest

import enqueue
import get_item
import heartbeat
import on_receipt
import store_order


class _Out:
    """A func.Out stand-in that records what the function set."""

    def __init__(self):
        self.value = None

    def set(self, value):
        self.value = value

    def get(self):
        return self.value


class _Blob(io.BytesIO):
    """A func.InputStream stand-in."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.length = len(data)
        self.uri = f"http://127.0.0.1:10000/devstoreaccount1/{name}"


class TestStorageExample(unittest.TestCase):
    def test_get_item_returns_the_blob(self):
        req = func.HttpRequest(method="GET", body=b"", url="/api/items/a.txt", route_params={"id": "a.txt"})
        resp = get_item.main(req, _Blob(b"hello", "samples/a.txt"))
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(resp.get_body(), b"hello")

    def test_get_item_without_blob_is_404(self):
        req = func.HttpRequest(method="GET", body=b"", url="/api/items/x", route_params={"id": "x"})
        self.assertEqual(get_item.main(req, None).status_code, 404)

    def test_enqueue_sets_the_message(self):
        msg = _Out()
        req = func.HttpRequest(method="GET", body=b"", url="/api/enqueue", params={"body": "hi"})
        self.assertEqual(enqueue.main(req, msg), "hi")
        self.assertEqual(msg.value, "hi")

    def test_store_order_writes_a_receipt(self):
        receipt = _Out()
        order = func.QueueMessage(
            id="m1", body=json.dumps({"id": "o7", "items": [{"price": 2, "quantity": 3}, {"price": 1}]}).encode())
        store_order.main(order, receipt)
        self.assertEqual(json.loads(receipt.value), {"id": "o7", "total": 7, "message_id": "m1"})

    def test_on_receipt_describes_the_blob(self):
        blob = _Blob(json.dumps({"id": "o7", "total": 7}).encode(), "receipts/o7.json")
        self.assertEqual(on_receipt.main(blob), "receipts/o7.json: order o7 total 7")

    def test_heartbeat_ticks(self):
        tick = _Out()
        timer = TimerRequest(past_due=False)
        heartbeat.main(timer, tick)
        self.assertIn("past due: False", tick.value)
        self.assertTrue(tick.value.startswith(f"tick at {datetime.datetime.now(datetime.timezone.utc).year}"))
