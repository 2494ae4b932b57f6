import logging

import example  # does not work from a function folder, as the guide says


def main(req):
    return example.NAME
