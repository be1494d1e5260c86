"""Personal numbers at rest: sealed (AES-256-GCM) for reading back, blind-indexed (HMAC-SHA-256) for
exact lookup and duplicate detection.

The deployment key comes from `GONGZHI_ID_KEY` (any long random string; `openssl rand -base64 32`).
Two independent sub-keys are derived from it (HKDF): one encrypts, one keys the blind indexes, and
each kind of number (ID, phone) gets its own index key, so an ID hash never matches a phone hash.

Without the variable a fixed development key is used and a warning is logged once: data sealed with
it is readable by anyone with this source code. Changing the key makes every sealed value and every
blind index unreadable, so a production key is set once, kept with the database backups, and never
changed without re-sealing (the `v1:` prefix leaves room for a key version).
"""

import base64
import functools
import hashlib
import logging
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

logger = logging.getLogger(__name__)

ENV_KEY = "GONGZHI_ID_KEY"
DEV_KEY = "gongzhi-development-id-key-not-for-production"
PREFIX = "v1:"
NONCE_BYTES = 12

# Purposes of a blind index: the same number hashed for two purposes gives unrelated hashes.
ID_NUMBER = "id_number"
PHONE = "phone"


@functools.cache
def _keys() -> tuple[AESGCM, dict[str, bytes]]:
    secret = os.environ.get(ENV_KEY, "")
    if not secret:
        logger.warning("%s is not set: personal numbers are sealed with the public development key.", ENV_KEY)
        secret = DEV_KEY

    def derive(info: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gongzhi.registry", info=info.encode()).derive(
            secret.encode())

    return AESGCM(derive("seal")), {p: derive(f"index:{p}") for p in (ID_NUMBER, PHONE)}


@functools.cache
def _index_states() -> dict[str, tuple]:
    """HMAC-SHA-256 (RFC 2104) for each index key, with the key already absorbed: the hash states
    after the inner and the outer padded key. Copying them is several times faster than keying an
    HMAC per value (OpenSSL looks its algorithm up on every one-shot call), and gives the same hashes."""
    _, index_keys = _keys()
    states = {}
    for purpose, key in index_keys.items():
        block = key.ljust(hashlib.sha256().block_size, b"\0")  # keys are 32 bytes: no pre-hashing
        states[purpose] = (hashlib.sha256(bytes(b ^ 0x36 for b in block)),
                           hashlib.sha256(bytes(b ^ 0x5C for b in block)))
    return states


def reset_keys() -> None:
    """Forget the derived keys (tests that change GONGZHI_ID_KEY)."""
    _keys.cache_clear()
    _index_states.cache_clear()


def seal(value: str) -> str:
    """`value` encrypted with a fresh nonce, as text for a CharField; "" stays ""."""
    if not value:
        return ""
    return PREFIX + base64.b64encode(seal_bytes(value.encode())).decode()


def unseal(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("unknown sealed-value version")
    return unseal_bytes(base64.b64decode(token[len(PREFIX):])).decode()


def seal_bytes(data: bytes) -> bytes:
    """Nonce + ciphertext + tag: for whole files (uploaded and rejected spreadsheets) at rest."""
    nonce = os.urandom(NONCE_BYTES)
    aead, _ = _keys()
    return nonce + aead.encrypt(nonce, data, None)


def unseal_bytes(data: bytes) -> bytes:
    aead, _ = _keys()
    return aead.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)


def blind_index(value: str, purpose: str) -> str | None:
    """A keyed hash of the normalised `value` (128 bits, hex) for exact lookup; None for ""."""
    if not value:
        return None
    inner_state, outer_state = _index_states()[purpose]
    inner = inner_state.copy()
    inner.update(value.encode())
    outer = outer_state.copy()
    outer.update(inner.digest())
    return outer.hexdigest()[:32]
