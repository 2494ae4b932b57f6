import os


def greet(name: str) -> str:
    return f"{os.environ.get('GREETING', 'Hi')}, {name}!"
