"""One test per section of the guide, calling the functions with azure.functions objects."""
import asyncio
import json
import logging
import os
import tempfile
import unittest
from unittest import mock

import azure.functions as func
from azure.functions.blob import InputStream

from __app__ import my_first_function, my_second_function
from __app__.alternate_entry.main import customentry
from __app__.app_setting import main as app_setting
from __app__.async_example import main as async_example
from __app__.cached import main as cached
from __app__.context_example import main as context_example
from __app__.cors_example import main as cors_example
from __app__.enqueue import main as enqueue
from __app__.log_levels import main as log_levels
from __app__.process_item import main as process_item
from __app__.sync_example import main as sync_example
from __app__.temp_files import main as temp_files


def request(params=None, body=b'', method='GET'):
    return func.HttpRequest(method=method, url='/api/test', params=params or {}, body=body)


class Out(func.Out):
    """A stand-in for the output binding the host provides."""

    def __init__(self):
        self.value = None

    def set(self, val):
        self.value = val

    def get(self):
        return self.value


class TestProgrammingModel(unittest.TestCase):
    def test_main_in_init(self):
        self.assertEqual(my_second_function.main(request({'user': 'Ada'})), 'Hello, Ada!')

    def test_alternate_entry_point(self):
        self.assertEqual(customentry(request()), 'Hello from customentry() in main.py')


class TestImportBehavior(unittest.TestCase):
    def test_relative_and_absolute_imports(self):
        body = json.loads(my_first_function.main(request()).get_body())
        self.assertEqual(body, {
            'example': 'example.py', 'first_helper': 42, 'second_helper': 'Hello, Ada!',
            'shared_code': '__app__.shared_code', 'same_package': True})


class TestTriggersInputsOutputs(unittest.TestCase):
    def test_trigger_and_additional_input(self):
        result = process_item(func.QueueMessage(body=b'item-1'), InputStream(data=b'12345'))
        self.assertEqual(result, 'item-1: 5 bytes')

    def test_return_value_and_out_parameter(self):
        msg = Out()
        self.assertEqual(enqueue(request({'body': 'queued'}), msg), 'queued')
        self.assertEqual(msg.get(), 'queued')


class TestLogging(unittest.TestCase):
    def test_every_level(self):
        with self.assertLogs(level=logging.DEBUG) as logs:
            self.assertEqual(log_levels(request()), 'logged at every level')
        self.assertEqual({r.levelname for r in logs.records},
                         {'CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'})


class TestConcurrency(unittest.TestCase):
    def test_async_function(self):
        self.assertEqual(asyncio.run(async_example(request())),
                         'awaited without blocking the worker')

    def test_sync_function(self):
        self.assertTrue(sync_example(request()).startswith('blocked '))


class TestContext(unittest.TestCase):
    def test_context_attributes(self):
        context = mock.Mock(spec=func.Context, invocation_id='inv-1', function_name='context_example',
                            function_directory='/app/context_example')
        context.trace_context.trace_parent = '00-' + '1' * 32 + '-' + '2' * 16 + '-01'
        body = json.loads(context_example(request(), context))
        self.assertEqual(body['invocation_id'], 'inv-1')
        self.assertEqual(body['function_name'], 'context_example')


class TestGlobalVariables(unittest.TestCase):
    def test_cached_between_calls(self):
        first = cached(request())
        second = cached(request())
        self.assertNotEqual(first, second)
        self.assertTrue(second.startswith('computed once'))


class TestEnvironment(unittest.TestCase):
    def test_app_setting(self):
        with mock.patch.dict(os.environ, {'myAppSetting': 'from the test'}):
            self.assertEqual(app_setting(request()).get_body(), b'from the test')

    def test_temporary_files(self):
        self.assertEqual(temp_files(request()), f'{tempfile.gettempdir()}: True')


class TestCORS(unittest.TestCase):
    def test_allow_origin_header(self):
        response = cors_example(request(method='OPTIONS'))
        self.assertEqual(response.headers['Access-Control-Allow-Origin'], 'https://contoso.com')
