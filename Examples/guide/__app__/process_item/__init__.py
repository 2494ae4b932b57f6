import logging

import azure.functions as func


def main(msg: func.QueueMessage,
         obj: func.InputStream) -> str:
    content = obj.read()
    logging.info(f'Python queue triggered function processed: {content}')
    return f'{msg.get_body().decode()}: {len(content)} bytes'
