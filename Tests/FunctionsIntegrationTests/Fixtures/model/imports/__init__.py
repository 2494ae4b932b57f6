import json

import vendored_lib  # .python_packages/lib/site-packages is on sys.path
from . import example  # explicit relative
from ..shared_code import my_first_helper_function  # explicit relative
from __app__ import shared_code  # absolute
import __app__.shared_code  # absolute
from __app__.shared_code import my_first_helper_function as helper_again


def main(req):
    return json.dumps({
        "example": example.NAME,
        "helper": my_first_helper_function.shout("hi"),
        "shared_code": shared_code.NAME,
        "absolute": __app__.shared_code.NAME,
        "same_module": helper_again is my_first_helper_function,
        "vendored": vendored_lib.VALUE,
        "package": __name__,
    })
