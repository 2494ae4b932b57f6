"""Queue benchmark: does nothing with each message (the host's cost is what is measured)."""


def main(msg: str) -> None:
    pass
