import azure.functions as func


def main(req: func.HttpRequest, first: func.Out[str], second: func.Out[bytes],
         unset: func.Out[str]) -> func.HttpResponse:
    first.set("to the queue")
    second.set(b"\x00to the blob")
    return func.HttpResponse("three outputs, one left unset", status_code=202)
