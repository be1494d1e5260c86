"""Checks on what people type or import: ID numbers (GB 11643), phones, dates.

Each `clean_*` returns the normalised value or raises `Invalid` with a sentence for the user. The
importer and the services use the same functions, so a phone form and a spreadsheet refuse alike.
"""

import datetime as dt
import functools
import operator
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Gender

# GB 11643-1999: weights of the first 17 digits, and the check character for each remainder mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Province-level codes (GB/T 2260), and 9x for foreigners' permanent-residence cards (2023 format).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    "83", "91", "92", "93",
})
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST_BIRTH = dt.date(1890, 1, 1)


class Invalid(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def id_check_character(first17: str) -> str:
    """The GB 11643 check character of 17 digits: ID_CHECK[Σ dᵢ·wᵢ mod 11], the weights being
    2¹⁷ … 2¹ mod 11. The sum is taken in one C call: read in base 13, the digits give Σ dᵢ·13¹⁶⁻ⁱ, and
    13 ≡ 2 (mod 11), so twice that number is the weighted sum mod 11."""
    if len(first17) != 17:
        raise ValueError("an ID number's check character is computed from 17 digits")
    if first17.isascii() and first17.isdigit():
        return ID_CHECK[2 * int(first17, 13) % 11]
    return ID_CHECK[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


def clean_id_number(value, *, today: dt.date | None = None) -> str:
    """An 18-character resident ID number with a valid checksum, area and birth date, upper case."""
    if isinstance(value, int | float):
        # Excel keeps 15 significant digits: an ID typed into a number cell has lost its end.
        raise Invalid(_("The ID number was stored as a number and lost its last digits; "
                        "format the column as text and type it again."))
    text = str(value or "").strip().upper().replace(" ", "")
    if len(text) == 15 and text.isdigit():
        raise Invalid(_("This is an old 15-digit ID number; enter the 18-character number."))
    if not ID_SHAPE.match(text):
        raise Invalid(_("An ID number has 17 digits and a final digit or X."))
    if text[:2] not in PROVINCE_CODES:
        raise Invalid(_("The ID number does not start with a known area code."))
    birth = _id_date(text)
    if birth is None or birth < EARLIEST_BIRTH or birth > (today or timezone.localdate()):
        raise Invalid(_("The birth date inside the ID number is not a real date."))
    if id_check_character(text[:17]) != text[17]:
        raise Invalid(_("The ID number's check digit is wrong: a digit was mistyped."))
    return text


def _id_date(text: str) -> dt.date | None:
    return _date_of_digits(text[6:14])


@functools.lru_cache(maxsize=65536)  # an import repeats birth dates: some 36,000 days in a century
def _date_of_digits(digits: str) -> dt.date | None:
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def id_birth_date(id_number: str) -> dt.date:
    return _id_date(id_number)


def id_gender(id_number: str) -> str:
    return Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE


def id_agreement_problems(id_number: str, *, birth_date: dt.date | None, gender: str) -> dict[str, str]:
    """What a cleaned ID number contradicts: {"birth_date" | "gender": message}."""
    problems = {}
    if birth_date is not None and birth_date != id_birth_date(id_number):
        problems["birth_date"] = _("The birth date does not match the ID number (%(date)s).") % {
            "date": id_birth_date(id_number).isoformat()}
    if gender and gender != id_gender(id_number):
        problems["gender"] = _("The gender does not match the ID number.")
    return problems


def clean_phone(value) -> str:
    """A mainland mobile (11 digits) or a landline with its area code, digits only."""
    if value.__class__ is str and MOBILE.fullmatch(value):
        return value  # the common case, as typed
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = PHONE_SEPARATORS.sub("", str(value or ""))
    if text.startswith("+86"):
        text = text[3:]
    if MOBILE.match(text) or LANDLINE.match(text):
        return text
    raise Invalid(_("Enter an 11-digit mobile number, or a landline with its area code."))


def clean_date(value, *, not_after_today: bool = False, today: dt.date | None = None) -> dt.date:
    """A date from a cell or a form: a date, an Excel day number, 2024-03-01, 2024/3/1, 2024年3月1日
    or 20240301."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and 20000101 <= value <= 29991231 and float(value).is_integer():
        day = _date_from_digits(str(int(value)))
    elif isinstance(value, int | float):
        if not 1 <= value < 2958466:
            raise Invalid(_("Not a date."))
        day = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        day = _date_from_text(str(value).strip())
    if not_after_today and day > (today or timezone.localdate()):
        raise Invalid(_("The date is in the future."))
    return day


def _date_from_text(text: str) -> dt.date:
    if len(text) == 8 and text.isdigit():
        return _date_from_digits(text)
    if len(text) >= 10 and text[10:11] in ("", " ", "T") and "-" in text[:10]:
        text = text[:10]  # "2024-03-01 00:00:00" from a cell formatted as text
    match = DATE_TEXT.match(text)
    if not match:
        raise Invalid(_("Write dates as 2024-03-01."))
    return _make_date(*(int(g) for g in match.groups()))


def _date_from_digits(digits: str) -> dt.date:
    return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Invalid(_("Not a real date.")) from None
