import asyncio
import logging
import os

import azure.functions as func

from blueprint import bp

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(bp)


@app.route(route="hello", methods=["GET", "POST"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    logging.info("decorator hello")
    name = req.params.get("name")
    if not name:
        try:
            name = req.get_json().get("name")
        except ValueError:
            pass
    if name:
        return func.HttpResponse(f"Hello, {name}!")
    return func.HttpResponse("Please pass a name", status_code=400)


@app.route(route="items/{id}", methods=["GET"])
@app.queue_output(arg_name="msg", queue_name="outqueue", connection="AzureWebJobsStorage")
def items(req: func.HttpRequest, msg: func.Out[str]) -> str:
    msg.set(f"item {req.route_params['id']}")
    return req.route_params["id"]


@app.route(route="pid")
async def pid(req: func.HttpRequest) -> str:
    await asyncio.sleep(0.2)
    return str(os.getpid())


@app.function_name("on_queue")
@app.queue_trigger(arg_name="msg", queue_name="inqueue", connection="AzureWebJobsStorage")
def queue_handler(msg: func.QueueMessage, context: func.Context) -> None:
    logging.info(f"queue message {msg.get_body().decode()} in {context.function_name}")
