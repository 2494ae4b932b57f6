import guide_req_pkg  # installed from requirements.txt by the host's environment bootstrap


def main(req):
    return guide_req_pkg.VERSION
