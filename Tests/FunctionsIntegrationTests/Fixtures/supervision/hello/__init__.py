def main(req) -> str:
    return "hello"
