import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    # The developer guide's workaround for the stock host: the function sets the CORS header
    # itself and lists "options" in function.json so that it receives the browser's preflight.
    headers = {"Access-Control-Allow-Origin": "https://contoso.com"}
    return func.HttpResponse(f"preflight:{req.method}", headers=headers)
