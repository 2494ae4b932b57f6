import azure.functions as func

import not_in_requirements_pkg

app = func.FunctionApp()


@app.route(route="x")
def x(req: func.HttpRequest) -> str:
    return "x"
