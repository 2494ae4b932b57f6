import json
import os


def main(req):
    return json.dumps({key: os.environ.get(key) for key in
                       ("FROM_LOCAL_SETTINGS", "A_NUMBER", "FROM_HOST_ENVIRONMENT")})
