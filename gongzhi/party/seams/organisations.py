"""The party organisations' seams."""


def register() -> None:
    pass
