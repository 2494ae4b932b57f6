import json

import azure.functions as func

from . import example  # (explicit relative)
from ..shared_code import my_first_helper_function  # (explicit relative)
from __app__ import shared_code  # (absolute)
import __app__.shared_code  # (absolute)
from __app__.shared_code import my_second_helper_function

# These would fail: function folders are packages of __app__, not top-level modules.
#   import example
#   from example import some_helper_code
#   import shared_code


def main(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({
        'example': example.some_helper_code(),
        'first_helper': my_first_helper_function.double(21),
        'second_helper': my_second_helper_function.greet('Ada'),
        'shared_code': shared_code.__name__,
        'same_package': __app__.shared_code is shared_code,
    }), mimetype='application/json')
