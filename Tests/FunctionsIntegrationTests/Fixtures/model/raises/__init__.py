def helper():
    raise KeyError("missing-key-for-the-test")


def main(req):
    return helper()
