import logging

import azure.functions as func


def main(req: func.HttpRequest, context: func.Context) -> str:
    logging.info("log-marker %s", req.params.get("marker"))
    logging.getLogger("my.module").warning("warning-marker %s", req.params.get("marker"))
    print("print-marker", req.params.get("marker"))
    return context.invocation_id
