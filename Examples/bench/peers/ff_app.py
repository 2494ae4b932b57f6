"""The hello world for Google's functions-framework (scripts/bench/peers.sh).

Default server (Flask under gunicorn gthread):  functions-framework --target hello --source ff_app.py
ASGI mode (Starlette under gunicorn + uvicorn workers): ... --target hello_async --asgi
The ASGI target is async, so functions-framework awaits it directly instead of using a thread.
"""
import functions_framework


@functions_framework.http
def hello(request):
    name = request.args.get("name", "world")
    return f"Hello, {name}!"


async def hello_async(request):
    name = request.query_params.get("name", "world")
    return f"Hello, {name}!"
