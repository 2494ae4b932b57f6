def main(req):
    return 'fine'


def broken(:
    pass
