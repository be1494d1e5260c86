"""The party registrations' seams."""


def register() -> None:
    pass
