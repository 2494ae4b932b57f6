import json

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_body()
    info = {
        "method": req.method,
        "length": len(body),
        "sha": __import__("hashlib").sha256(body).hexdigest(),
        "id": req.route_params.get("id"),
        "header": req.headers.get("x-test"),
        "query": dict(req.params),
    }
    return func.HttpResponse(json.dumps(info), mimetype="application/json",
                             headers={"x-echo": "yes"})
