import logging

import azure.functions as func


def main(msg: func.QueueMessage, obj: func.InputStream) -> str:
    content = obj.read()
    logging.info(f'Python queue trigger function processed: {content}')
    return f"{msg.get_body().decode()} + {content!r}"
