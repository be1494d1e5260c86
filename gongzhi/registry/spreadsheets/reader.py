"""A lean reader for the one thing an import needs from an .xlsx file: the cell values of its first
sheet, row by row, in constant memory.

openpyxl's read-only mode does the same with styles, types and cell objects, at about a quarter of the
speed — too slow for a 100,000-row file at 5,000 rows a second. Numbers stay numbers: a date column gets
Excel's day number and makes a date of it (validation.clean_date), and an ID number that Excel turned
into a number is caught there too.

Two ways through the sheet's XML, with the same result:

- the fast path, for the sheets that Excel, WPS, LibreOffice and openpyxl write (the default namespace,
  UTF-8, cells of plain values, shared or inline strings): the text is cut at each `</row>` and the
  cells of a row are read with one regular expression, some three times faster than a parser's events;
  a row whose cells it does not recognise all (formulas, rich text, other attributes) is handed to the
  XML parser alone;
- the parser (ElementTree's iterparse), for everything else: when the fast path meets anything it does
  not handle (a prefixed namespace, another encoding, a DTD, comments, CDATA, an entity other than
  XML's five), it starts again with the parser and skips the rows already read.

Untrusted input: ElementTree never fetches external entities, and the expat it runs on (2.4.1 and
later) refuses entity-expansion bombs; the fast path expands no entity but XML's own and hands any file
with a DTD to the parser. The parts' uncompressed sizes are checked against zip bombs before anything
is read.
"""

import codecs
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import XML, ParseError, iterparse

from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROW, CELL, VALUE, TEXT, RUN, INLINE, SHEET_DATA, DIMENSION = (
    f"{MAIN}{t}" for t in ("row", "c", "v", "t", "r", "is", "sheetData", "dimension"))
PHONETIC = f"{MAIN}rPh"
MAX_PART_BYTES = 1 << 30  # 1 GiB of XML is some 1.5 million rows of 15 columns
MAX_RATIO = 200  # spreadsheet XML compresses 10-30 times; a bomb compresses thousands of times
CELL_REF = re.compile(r"([A-Z]+)(\d+)")
INTEGER = re.compile(r"-?\d+")

# The fast path (see the module's docstring).
CHUNK_CHARS = 1 << 20
PRELUDE_CHARS = 1 << 22  # columns, views and merged cells before the rows
# One cell as spreadsheet programs write it: its reference, optional style and type, and a plain value
# or an inline string (or nothing). Groups: column letters, type, <v> text, <t> text.
FAST_CELL = re.compile(
    r'<c\s+r="([A-Z]{1,3})\d+"(?:\s+s="\d+")?(?:\s+t="(\w+)")?(?:\s+s="\d+")?\s*'
    r'(?:/>|>(?:<v>([^<]*)</v>|<is><t(?:\s+xml:space="preserve")?>([^<]*)</t></is>)?</c>)')
ROW_NUMBER = re.compile(r'\sr="(\d+)"')
DIMENSION_REF = re.compile(r'<dimension\s+ref="([^"]*)"')
XML_DECLARATION = re.compile(r'^\ufeff?<\?xml[^>]*?encoding=["\']([\w.-]+)["\']')
# What the fast path leaves to the parser: markup that may hide a "</row>" or declare entities.
UNUSUAL = ("<!", "<?")
ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_][\w.-]*);")
XML_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class _Unusual(Exception):
    """The fast path met something it leaves to the parser."""


def _parse(f, events=("end",)):
    return iterparse(f, events=events)  # noqa: S314  (safe here: see the module's docstring)


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class XlsxReader:
    """`XlsxReader(file).rows()` yields `(row_number, [value, …])` for each row that has a value."""

    def __init__(self, source):
        try:
            self.zip = zipfile.ZipFile(source)
            self._check_sizes()
            self.sheet_path = self._first_sheet()
            self.shared = self._shared_strings()
        except (zipfile.BadZipFile, KeyError, IndexError, SyntaxError) as exc:
            raise DomainError(_("This is not an .xlsx file (Excel 2007 or later). Save it as .xlsx and try again."),
                              code="bad_file") from exc
        self.last_row: int | None = None

    def _check_sizes(self) -> None:
        for info in self.zip.infolist():
            if info.file_size > MAX_PART_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1 << 16):
                raise DomainError(_("The spreadsheet is too large or damaged."), code="bad_file")

    def _first_sheet(self) -> str:
        with self.zip.open("xl/workbook.xml") as f:
            sheet = next(el for _, el in _parse(f) if el.tag == f"{MAIN}sheet")
            rel_id = sheet.get(f"{REL}id")
        with self.zip.open("xl/_rels/workbook.xml.rels") as f:
            target = next(el.get("Target") for _, el in _parse(f)
                          if el.tag == f"{PKG_REL}Relationship" and el.get("Id") == rel_id)
        return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.zip.namelist():
            return []
        strings = []
        with self.zip.open("xl/sharedStrings.xml") as f:
            for _, el in _parse(f):
                if el.tag == f"{MAIN}si":
                    strings.append(_text_of(el))
                    el.clear()
        return strings

    def rows(self) -> Iterator[tuple[int, list]]:
        last = 0
        try:
            for number, values in self._fast_rows():
                last = number
                yield number, values
            return
        except _Unusual:
            pass
        for number, values in self._parsed_rows():
            if number > last:
                yield number, values

    def _fast_rows(self) -> Iterator[tuple[int, list]]:
        """The fast path: rows cut at "</row>", cells by FAST_CELL; raises _Unusual to hand over."""
        shared = self.shared
        expected = 0
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            with self.zip.open(self.sheet_path) as f:
                text = decoder.decode(f.read(CHUNK_CHARS))
                while "<sheetData" not in text and len(text) < PRELUDE_CHARS:
                    more = f.read(CHUNK_CHARS)
                    if not more:
                        break
                    text += decoder.decode(more)
                start = text.find("<sheetData")
                prelude = text[:start]
                if start < 0 or not _plain_prelude(prelude):
                    raise _Unusual
                dimension = DIMENSION_REF.search(prelude)
                if dimension:
                    self.last_row = _dimension_rows(dimension.group(1))
                rest = text[start:]
                while True:
                    more = f.read(CHUNK_CHARS)
                    rest += decoder.decode(more, final=not more)
                    pieces = rest.split("</row>")
                    rest = pieces.pop()
                    for piece in pieces:
                        if "<!" in piece or "<?" in piece:
                            raise _Unusual
                        begin = piece.rfind("<row")
                        end = piece.find(">", begin)
                        if begin < 0 or end < 0:
                            raise _Unusual
                        head = piece[begin:end]
                        found = ROW_NUMBER.search(head)
                        number = int(found.group(1)) if found else expected + 1
                        expected = number
                        values = _fast_row_values(piece[end + 1:], head, shared)
                        if values:
                            yield number, values
                    if not more:
                        break
                if "<!" in rest or "<?" in rest or "</worksheet>" not in rest:
                    raise _Unusual  # or cut short: the parser says where
        except (UnicodeDecodeError, zipfile.BadZipFile, KeyError, ValueError, IndexError) as exc:
            raise _Unusual from exc

    def _parsed_rows(self) -> Iterator[tuple[int, list]]:
        """The parser's way: ElementTree's events, for any well-formed sheet."""
        shared = self.shared
        expected = 0
        try:
            with self.zip.open(self.sheet_path) as f:
                sheet_data = None
                for event, el in _parse(f, events=("start", "end")):
                    if event == "start":
                        if el.tag == SHEET_DATA:
                            sheet_data = el
                        continue
                    if el.tag == DIMENSION:
                        self.last_row = _dimension_rows(el.get("ref", ""))
                    elif el.tag == ROW:
                        number = int(el.get("r") or expected + 1)
                        expected = number
                        values = _row_values(el, shared)
                        el.clear()
                        if sheet_data is not None and number % 512 == 0:
                            sheet_data.clear()  # the rows read so far; the parser keeps appending
                        if values:
                            yield number, values
        except (SyntaxError, zipfile.BadZipFile, KeyError, ValueError, IndexError) as exc:
            raise DomainError(_("The spreadsheet is damaged and cannot be read."), code="bad_file") from exc


def _plain_prelude(prelude: str) -> bool:
    """Whether the sheet's start allows the fast path: UTF-8, the main namespace as the default one,
    no DTD, comment or processing instruction but the XML declaration."""
    declaration = XML_DECLARATION.match(prelude)
    if declaration and declaration.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        return False
    body = prelude[declaration.end():] if declaration else prelude.lstrip("\ufeff")
    if "<!" in body or "<?" in body:
        return False
    return f'xmlns="{MAIN[1:-1]}"' in body


def _fast_row_values(body: str, head: str, shared: list[str]) -> list:
    """The values of one row's cells, as _row_values reads them from the parsed row."""
    cells = FAST_CELL.findall(body)
    if len(cells) != body.count("<c"):
        return _one_row(head, body, shared)  # cells of another shape: the parser reads this row
    values: list = []
    columns = _columns
    for letters, kind, number, inline in cells:
        if kind == "inlineStr" or kind == "str" or kind == "d":
            value = inline if kind == "inlineStr" else number
            if "&" in value or "\r" in value:
                value = _unescape(value)  # XML text (shared strings come parsed)
            value = value.strip()
        elif kind == "s":
            value = shared[int(number)].strip() if number else None
        elif not number or kind == "e":
            continue
        elif kind == "b":
            value = number == "1"
        else:
            value = int(number) if INTEGER.fullmatch(number) else float(number)
        if value is None or value == "":
            continue
        position = columns.get(letters)
        if position is None:
            position = _column_of(letters)
        if position == len(values):
            values.append(value)
        else:
            if position > len(values):
                values.extend([None] * (position - len(values) + 1))
            values[position] = value
    return values


def _one_row(head: str, body: str, shared: list[str]) -> list:
    """One row by the parser (its own attributes dropped: they may use prefixes declared elsewhere)."""
    try:
        row = XML(f'<row xmlns="{MAIN[1:-1]}">{body}</row>')  # no DTD: _fast_rows refuses them
    except ParseError as exc:
        raise _Unusual from exc
    return _row_values(row, shared)


def _unescape(text: str) -> str:
    """XML's five entities and character references, and its line-end normalisation."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name[0] == "#":
            return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
        if name not in XML_ENTITIES:
            raise _Unusual
        return XML_ENTITIES[name]

    if "&" in ENTITY.sub("", text):
        raise _Unusual  # a bare "&": not well-formed; the parser says so
    return ENTITY.sub(one, text)


def _row_values(row, shared: list[str]) -> list:
    values: list = []
    position = 0
    for cell in row:
        ref = cell.get("r")
        if ref:
            position = _column_of(ref.rstrip(DIGITS))
        kind = cell.get("t")
        if kind == "inlineStr":
            value = _text_of(cell[0]) if len(cell) else None
        else:
            v = cell.find(VALUE)
            raw = v.text if v is not None else None
            if raw is None or kind == "e":
                value = None
            elif kind == "s":
                value = shared[int(raw)]
            elif kind == "str" or kind == "d":
                value = raw
            elif kind == "b":
                value = raw == "1"
            else:
                value = int(raw) if INTEGER.fullmatch(raw) else float(raw)
        if value.__class__ is str:
            value = value.strip() or None
        if value is not None:
            if position >= len(values):
                values.extend([None] * (position - len(values) + 1))
            values[position] = value
        position += 1
    return values


DIGITS = "0123456789"
_columns: dict[str, int] = {}


def _column_of(letters: str) -> int:
    index = _columns.get(letters)
    if index is None:
        index = _columns[letters] = column_index(letters)
    return index


def _text_of(el) -> str:
    """The text of a shared or inline string: plain, or rich-text runs; phonetic guides skipped."""
    if len(el) == 1 and el[0].tag == TEXT:
        return el[0].text or ""
    direct = el.find(TEXT)
    if direct is not None:
        return direct.text or ""
    return "".join(r.findtext(TEXT) or "" for r in el.iter(RUN) if r.tag == RUN)


def _dimension_rows(ref: str) -> int | None:
    match = CELL_REF.findall(ref)
    return int(match[-1][1]) if match else None
