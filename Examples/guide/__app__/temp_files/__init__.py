import logging
import tempfile
from os import listdir
from os.path import basename

import azure.functions as func


def main(req: func.HttpRequest) -> str:
    tempFilePath = tempfile.gettempdir()
    with tempfile.NamedTemporaryFile() as fp:
        fp.write(b'Hello world!')
        fp.flush()
        filesDirListInTemp = listdir(tempFilePath)
        logging.info(f'{basename(fp.name)} written in {tempFilePath}')
        return f'{tempFilePath}: {basename(fp.name) in filesDirListInTemp}'
