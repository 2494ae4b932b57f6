# tests/test_httptrigger.py
import unittest

import azure.functions as func
from __app__.HttpTrigger import my_function


class TestFunction(unittest.TestCase):
    def test_my_function(self):
        # Construct a mock HTTP request.
        req = func.HttpRequest(
            method='GET',
            body=None,
            url='/api/HttpTrigger',
            params={'name': 'Test'})

        # Call the function.
        resp = my_function(req)

        # Check the output.
        self.assertEqual(
            resp.get_body(),
            b'Hello Test',
        )

    def test_name_from_json_body_and_missing_name(self):
        req = func.HttpRequest(method='POST', body=b'{"name": "Json"}', url='/api/HttpTrigger')
        self.assertEqual(my_function(req).get_body(), b'Hello Json')
        missing = my_function(func.HttpRequest(method='POST', body=b'not json', url='/api/x'))
        self.assertEqual(missing.status_code, 400)
        self.assertEqual(missing.headers['my-http-header'], 'some-value')
