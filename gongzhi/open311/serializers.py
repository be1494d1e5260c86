"""Rendering GeoReport answers as JSON or XML (the spec's Spark convention: an XML list element
holds one child per item, and the JSON is the list itself).

Views build plain dicts and lists of str / int / float / bool / None; this module writes them out,
UTF-8, with the spec's content types."""

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse

JSON = "json"
XML = "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# A list's element name → its items' element name.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Characters XML 1.0 cannot carry at all (control characters other than tab and line breaks).
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`data` is a list (rendered as `root` holding one item element each) or a dict (`root`
    holding one element per key)."""
    if fmt == JSON:
        body = json.dumps(data, ensure_ascii=False).encode()
    else:
        body = DECLARATION + ElementTree.tostring(_element(root, data), encoding="unicode").encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, messages: list[str]) -> HttpResponse:
    """The spec's error body: [{code, description}] / <errors><error>…</error></errors>."""
    return render(fmt, "errors", [{"code": status, "description": str(m)} for m in messages], status=status)


def _element(tag: str, value) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        child = ITEM_TAGS[tag]
        for item in value:
            element.append(_element(child, item))
    else:
        element.text = _text(value)
    return element


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))
