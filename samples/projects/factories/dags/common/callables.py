"""Python callables shared by the DAGs (they import a sibling module: it travels with them)."""
from common.text import shout


def greet(name, punctuation="!"):
    message = shout(f"hello {name}") + punctuation
    print(message)
    return message


def count_letters(word):
    return len(word)
