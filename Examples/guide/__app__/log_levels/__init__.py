import logging

import azure.functions as func


def main(req: func.HttpRequest) -> str:
    logging.info('Python HTTP trigger function processed a request.')
    logging.critical('a CRITICAL message')
    logging.error('an ERROR message')
    logging.warning('a WARNING message')
    logging.debug('a DEBUG message (shown because host.json sets "Function": "Debug")')
    logging.getLogger('my_app.orders').info('a message from a named logger')
    print('print() output is captured too')
    return 'logged at every level'
