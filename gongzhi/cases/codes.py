"""Tracking codes: what a resident follows their case by, in links and on the public pages.

The tracking number (2026120700001) counts the day's reports, so anyone could walk through every
case by counting; staff and exports keep it, but no public address answers to it. The code is
random: 10 characters from 31 that cannot be misread for one another (no 0/O, 1/I/L), so about
8 × 10^14 codes, read out on the phone or typed from an SMS without confusion."""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
MAX_LENGTH = 16  # the column, room for a longer code later
SHAPE = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(raw: str) -> str:
    """The code as typed — lower case, spaced or hyphenated in groups — in its one stored form."""
    return re.sub(r"[\s\-]", "", raw or "").upper()[:MAX_LENGTH * 2]


def is_code(raw: str) -> bool:
    return bool(SHAPE.match(normalize_code(raw)))
