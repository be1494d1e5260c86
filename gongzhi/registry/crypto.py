"""Sealing moved to the kernel (gongzhi.core.crypto), which seals the uploads as well; this name is
kept for the party app's records, which seal their numbers like the registry's."""

from gongzhi.core.crypto import ID_NUMBER, PHONE, blind_index, seal, unseal

__all__ = ["ID_NUMBER", "PHONE", "blind_index", "seal", "unseal"]
