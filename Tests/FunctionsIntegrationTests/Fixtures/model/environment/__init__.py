import json
import logging
import os
import tempfile
from os import listdir

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    my_app_setting_value = os.environ["myAppSetting"]
    logging.info(f'My app setting value:{my_app_setting_value}')
    tempFilePath = tempfile.gettempdir()
    fp = tempfile.NamedTemporaryFile()
    fp.write(b'Hello world!')
    fp.flush()
    filesDirListInTemp = listdir(tempFilePath)
    return func.HttpResponse(json.dumps({
        "myAppSetting": my_app_setting_value,
        "worker_runtime": os.environ.get("FUNCTIONS_WORKER_RUNTIME"),
        "tempdir": tempFilePath,
        "temp_file_listed": os.path.basename(fp.name) in filesDirListInTemp,
    }), mimetype="application/json")
