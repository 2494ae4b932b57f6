"""The guide's blob-input example: GET /api/items/{id} reads the blob samples/{id}."""
import logging

import azure.functions as func


def main(req: func.HttpRequest,
         obj: func.InputStream) -> func.HttpResponse:
    if obj is None:
        return func.HttpResponse(f"no blob samples/{req.route_params.get('id')}", status_code=404)
    content = obj.read()
    logging.info(f'Python HTTP triggered function processed: {content}')
    return func.HttpResponse(content, mimetype="application/octet-stream")
