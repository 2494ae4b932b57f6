import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.function_name("2fast")  # a function name must start with a letter
@app.route(route="fast")
def fast(req: func.HttpRequest) -> str:
    return "fast"


@app.route(route="clash")
@app.queue_output(arg_name="req", queue_name="q", connection="AzureWebJobsStorage")  # two bindings 'req'
def clash(req: func.HttpRequest) -> str:
    return "clash"


@app.route(route="ok")
def ok(req: func.HttpRequest) -> str:
    return "the valid function serves"
