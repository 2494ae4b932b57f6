"""Unit tests of the decorator app: a decorated function's code is reached with .build().get_user_function()."""
import json
import unittest
from unittest import mock

import azure.functions as func

import function_app
import orders


def call(decorated, *args):
    return decorated.build().get_user_function()(*args)


class Out(func.Out):
    def __init__(self):
        self.value = None

    def set(self, val):
        self.value = val

    def get(self):
        return self.value


class TestFunctionApp(unittest.TestCase):
    def test_hello(self):
        req = func.HttpRequest(method='GET', body=None, url='/api/hello', params={'name': 'Test'})
        self.assertEqual(call(function_app.hello, req).get_body(), b'Hello, Test!')

    def test_enqueue_sets_the_output(self):
        msg = Out()
        req = func.HttpRequest(method='GET', body=None, url='/api/enqueue', params={'body': 'x'})
        self.assertEqual(call(function_app.enqueue, req, msg), 'x')
        self.assertEqual(msg.get(), 'x')

    def test_queue_trigger(self):
        context = mock.Mock(spec=func.Context, function_name='process_queue_item')
        with self.assertLogs(level='INFO') as logs:
            call(function_app.process_queue_item, func.QueueMessage(body=b'test'), context)
        self.assertIn('process_queue_item got: test', logs.output[0])

    def test_blueprint_function(self):
        req = func.HttpRequest(method='GET', body=None, url='/api/orders/7', route_params={'id': '7'})
        self.assertEqual(json.loads(call(orders.get_order, req).get_body()),
                         {'id': 7, 'status': 'shipped'})

    def test_every_function_is_indexed(self):
        names = {f.get_function_name() for f in function_app.app.get_functions()}
        self.assertEqual(names, {'hello', 'enqueue', 'process_queue_item', 'slow', 'context_info',
                                 'setting', 'get_order'})
