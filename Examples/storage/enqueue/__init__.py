"""The guide's queue-output example: GET /api/enqueue?body=… puts the text on the queue outqueue."""
import azure.functions as func


def main(req: func.HttpRequest,
         msg: func.Out[func.QueueMessage]) -> str:

    message = req.params.get('body')
    msg.set(message)
    return message
