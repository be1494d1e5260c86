"""What volunteering brings to the shell and to other apps (gongzhi.core.seams, gongzhi.party.seams)."""

from . import party, shell


def register() -> None:
    party.register()
    shell.register()
