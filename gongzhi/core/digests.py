"""How the platform keeps a secret it must recognise but never show again (API tokens, Open311
keys, the follow link of a report made without an account): its SHA-256, so a copy of the table
gives no secret away. The secrets are long and random, so no salt or slow hash is needed."""

import hashlib


def secret_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
