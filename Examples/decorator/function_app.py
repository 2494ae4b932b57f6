"""The developer guide's app in the decorator model: one function_app.py, no function.json.

The host asks the first worker to index this file (worker indexing); every function below becomes a
function of the app, and the blueprint's functions join through app.register_functions().
"""
import asyncio
import logging
import os

import azure.functions as func

from orders import orders

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(orders)

CACHED_DATA = None


@app.route(route="hello", methods=["GET", "POST"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    logging.info('Python HTTP trigger function processed a request.')
    name = req.params.get('name')
    if not name:
        try:
            req_body = req.get_json()
        except ValueError:
            pass
        else:
            name = req_body.get('name')
    if name:
        return func.HttpResponse(f"Hello, {name}!", headers={"my-http-header": "some-value"})
    return func.HttpResponse(
        "Please pass a name on the query string or in the request body", status_code=400)


@app.route(route="enqueue")
@app.queue_output(arg_name="msg", queue_name="outqueue", connection="AzureWebJobsStorage")
def enqueue(req: func.HttpRequest, msg: func.Out[str]) -> str:
    message = req.params.get('body')
    msg.set(message)
    return message


@app.function_name("process_queue_item")
@app.queue_trigger(arg_name="msg", queue_name="python-queue-items",
                   connection="AzureWebJobsStorage")
def process_queue_item(msg: func.QueueMessage, context: func.Context) -> None:
    logging.info(f'{context.function_name} got: {msg.get_body().decode()}')


@app.route(route="slow")
async def slow(req: func.HttpRequest) -> str:
    await asyncio.sleep(0.5)  # on the worker's event loop: other calls run meanwhile
    return 'awaited'


@app.route(route="context")
def context_info(req: func.HttpRequest, context: func.Context) -> str:
    return f'{context.function_name} {context.invocation_id}'


@app.route(route="setting")
def setting(req: func.HttpRequest) -> str:
    global CACHED_DATA
    if CACHED_DATA is None:
        CACHED_DATA = os.environ["myAppSetting"]
    return CACHED_DATA
