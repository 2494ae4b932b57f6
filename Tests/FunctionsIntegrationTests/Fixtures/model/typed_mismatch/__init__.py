def main(req: str) -> str:
    return req
