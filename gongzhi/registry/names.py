"""Pinyin initials of names, for search from a phone keyboard: 张伟 → "zw", 欧阳娜娜 → "oynn"."""

import functools
import re

from pypinyin import Style, lazy_pinyin

NOT_LETTERS = re.compile(r"[^a-z]")
# Family names read differently from the same character in ordinary words (曾 zēng, not céng).
SURNAME_INITIALS = {
    "曾": "z", "单": "s", "仇": "q", "解": "x", "查": "z", "朴": "p", "区": "o", "乐": "y", "盖": "g",
    "缪": "m", "翟": "z", "覃": "q", "种": "c", "繁": "p", "召": "s", "员": "y", "长": "c", "重": "c",
}


def initials(name: str) -> str:
    """Lower-case initials of each Han character (a name's characters are read one by one, in their
    common reading; a polyphonic family name in its family-name reading); Latin letters are kept, for
    names such as "Anna"."""
    name = name.strip()
    letters = [_initial(ch) for ch in name]
    if letters and name[0] in SURNAME_INITIALS:
        letters[0] = SURNAME_INITIALS[name[0]]
    return NOT_LETTERS.sub("", "".join(letters))[:32]


@functools.lru_cache(maxsize=32768)
def _initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    return "".join(lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")).lower()
