import os


def main(req) -> str:
    return str(os.getpid())
