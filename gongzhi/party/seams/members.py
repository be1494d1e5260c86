"""The party members' seams."""


def register() -> None:
    pass
