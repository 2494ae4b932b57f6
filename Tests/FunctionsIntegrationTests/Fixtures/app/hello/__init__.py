import azure.functions as func

from ..shared_code.greeting import greet


def main(req: func.HttpRequest) -> func.HttpResponse:
    name = req.params.get("name")
    if not name:
        try:
            name = req.get_json().get("name")
        except ValueError:
            name = None
    if not name:
        return func.HttpResponse("Please pass a name", status_code=400)
    return func.HttpResponse(greet(name))
