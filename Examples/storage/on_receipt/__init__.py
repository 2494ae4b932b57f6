"""Pipeline step 2: each new receipt blob puts one line on the queue `done`."""
import json

import azure.functions as func


def main(blob: func.InputStream) -> str:
    receipt = json.loads(blob.read())
    return f"{blob.name}: order {receipt['id']} total {receipt['total']}"
