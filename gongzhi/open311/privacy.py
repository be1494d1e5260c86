"""What GeoReport publishes of a case, and what it holds back.

GET answers are public. They never carry the reporter, contact details, the partner's email,
device or account, or staff notes. A description is published only when its reporter chose so at
submission (`description_public`: the resident's report page, the cases API, or this API's
`description_public` extension parameter), with phone numbers, ID numbers and e-mail addresses
masked; by default it stays with the reporter and the staff working on the case. There are no
keys that read more: API keys only post. Community matters (disputes between neighbours, elderly care, a
household's noise or pets) and anonymous reports are about people rather than public space: for
them the description and photos are withheld and the position is rounded to about 100 m."""

import re

from gongzhi.cases.choices import CaseClass
from gongzhi.core.masking import mask_id_number, mask_phone

COARSE_DIGITS = 3  # 0.001° ≈ 110 m
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def is_private(case) -> bool:
    category = case.category
    return bool(case.is_anonymous or (category is not None and category.case_class == CaseClass.COMMUNITY))


def shows_description(case) -> bool:
    """Whether GET answers carry the description: only when its reporter chose to publish it at
    submission (`Case.description_public`; default no), and never for a private case."""
    return bool(case.description_public) and not is_private(case)


def redact(text: str) -> str:
    """Mask what identifies a person in free text a resident typed."""
    text = EMAIL.sub("***@***", text)
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    text = MOBILE.sub(lambda m: mask_phone(m.group()), text)
    return LANDLINE.sub(lambda m: mask_phone(m.group()), text)


def coarse(value: float) -> float:
    return round(value, COARSE_DIGITS)
