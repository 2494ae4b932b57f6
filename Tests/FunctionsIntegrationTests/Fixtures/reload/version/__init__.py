def main(req) -> str:
    return "v1"
