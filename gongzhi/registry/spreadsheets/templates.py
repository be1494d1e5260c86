"""Blank import templates: the entity's columns with an example row, text-formatted ID and phone
columns (so Excel keeps all 18 characters), drop-down lists for the choice columns, and a second
sheet explaining each column."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Tag
from .columns import CHOICE_WORDS, EN, LANGUAGES, SHEETS, ZH, Column, title, word

TEXT_KINDS = {"id_number", "phone", "text", "address", "grid", "tags"}
HEADER_FILL = PatternFill("solid", fgColor="FFE8F0FE")
REQUIRED_FONT = Font(bold=True, color="FFC00000")


def template_for(entity: str, language: str = ZH) -> bytes:
    """The .xlsx template for `entity` ("residents", "buildings", "things", "facilities",
    "organisations") with headers in `language` ("zh" or "en")."""
    if entity not in SHEETS or language not in LANGUAGES:
        raise KeyError(entity if entity not in SHEETS else language)
    columns = SHEETS[entity]
    wb = Workbook()
    ws = wb.active
    ws.title = title(entity, language)
    ws.append([c.header(language) for c in columns])
    ws.append([_example(c, language) for c in columns])
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(column.width, len(column.header(language)) + 4)
        cell = ws.cell(row=1, column=i)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if column.required else Font(bold=True)
        if column.kind in TEXT_KINDS:
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = "@"
        if column.kind == "choice":
            words = [word(column.choices, v, language) for v in CHOICE_WORDS[column.choices]]
            listed = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
            listed.add(f"{letter}2:{letter}100000")
            ws.add_data_validation(listed)
    ws.freeze_panes = "A2"
    _explain(wb.create_sheet("说明" if language == ZH else "Help"), columns, language)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _example(column: Column, language: str):
    if column.kind == "choice" and column.example:
        value = next((v for v, zh in CHOICE_WORDS[column.choices].items() if zh == column.example), None)
        return word(column.choices, value, language) if value else column.example
    if column.kind == "tags" and language == EN:
        return "Party member, Veteran"
    return column.example


def _explain(ws, columns: list[Column], language: str) -> None:
    zh = language == ZH
    ws.append(["列" if zh else "Column", "必填" if zh else "Required", "说明" if zh else "How to fill it in"])
    for column in columns:
        notes = column.help_zh if zh else column.help_en
        if column.kind == "choice":
            allowed = "、".join(word(column.choices, v, language) for v in CHOICE_WORDS[column.choices])
            notes = f"{notes} {'可选' if zh else 'one of'}: {allowed}".strip()
        if column.kind == "tags":
            names = "、".join(t.name if zh else (t.name_en or t.name) for t in Tag.objects.filter(is_active=True))
            notes = f"{notes} {'可选' if zh else 'one of'}: {names}".strip()
        ws.append([column.header(language), ("是" if zh else "yes") if column.required else "", notes])
    for letter, width in (("A", 22), ("B", 8), ("C", 80)):
        ws.column_dimensions[letter].width = width
