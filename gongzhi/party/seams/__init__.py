"""What the party organisation brings to the shell and to other apps (gongzhi.core.seams): menu
entries, to-dos, search, panels — one module per part of the app."""

from . import members, organisations, registrations


def register() -> None:
    from gongzhi.core import crypto

    from ..models import Member

    # What `gongzhi rotate-keys` re-seals and re-indexes.
    crypto.register_sealed(Member, "id_number_sealed", "id_number_hash", crypto.ID_NUMBER)
    crypto.register_sealed(Member, "phone_sealed", "phone_hash", crypto.PHONE)
    organisations.register()
    members.register()
    registrations.register()
