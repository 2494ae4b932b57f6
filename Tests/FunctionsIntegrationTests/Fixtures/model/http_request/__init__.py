import json

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    try:
        body_json = req.get_json()
    except ValueError as error:
        body_json = f"ValueError: {error}"
    form = {key: req.form.getlist(key) for key in req.form} if req.form else {}
    files = {key: {"filename": f.filename, "content": f.read().decode(), "type": f.content_type}
             for key, f in req.files.items()} if req.files else {}
    return func.HttpResponse(json.dumps({
        "method": req.method,
        "url": req.url,
        "header": req.headers.get("x-custom-header"),
        "header_case": req.headers.get("X-CUSTOM-HEADER"),
        "params": dict(req.params),
        "route_params": dict(req.route_params),
        "body": req.get_body().decode(errors="replace") if not files else "<multipart>",
        "json": body_json,
        "form": form,
        "files": files,
    }), mimetype="application/json")
