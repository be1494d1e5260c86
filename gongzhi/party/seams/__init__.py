"""What the party organisation brings to the shell and to other apps (gongzhi.core.seams): menu
entries, to-dos, search, panels — one module per part of the app."""

from . import members, organisations, registrations


def register() -> None:
    organisations.register()
    members.register()
    registrations.register()
