import json

import azure.functions


def main(req: azure.functions.HttpRequest,
         context: azure.functions.Context) -> str:
    return json.dumps({
        'invocation_id': context.invocation_id,
        'function_name': context.function_name,
        'function_directory': context.function_directory,
        'trace_parent': context.trace_context.trace_parent,
    })
