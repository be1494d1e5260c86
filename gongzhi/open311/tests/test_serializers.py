"""The JSON and XML writers: UTF-8, the spec's content types, well-formed whatever the text."""

import json

from gongzhi.open311.privacy import redact
from gongzhi.open311.serializers import errors, render

from .conftest import xml_root


def test_xml_is_well_formed_with_markup_and_control_characters_in_text():
    data = [{"service_request_id": "1", "description": "<b>坑</b> & \x0b\x00 ok", "lat": 30.9, "metadata": False,
             "media_url": None}]
    response = render("xml", "service_requests", data)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>')
    request = xml_root(response.content).find("request")
    assert request.findtext("description") == "<b>坑</b> &  ok"
    assert request.findtext("lat") == "30.9"
    assert request.findtext("metadata") == "false"
    assert request.find("media_url").text is None


def test_json_is_utf8_and_keeps_types():
    response = render("json", "services", [{"service_code": "noise", "metadata": True, "group": "社区事项"}])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "社区事项".encode() in response.content
    assert json.loads(response.content) == [{"service_code": "noise", "metadata": True, "group": "社区事项"}]


def test_error_bodies():
    response = errors("xml", 400, ["one", "two"])
    assert response.status_code == 400
    root = xml_root(response.content)
    assert [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")] == [
        ("400", "one"), ("400", "two")]
    assert json.loads(errors("json", 403, ["no key"]).content) == [{"code": 403, "description": "no key"}]


def test_redaction_masks_what_identifies_a_person():
    text = "电话13912345678，座机027-88886666，身份证42090219900101123X，邮箱a.b@example.cn，井盖编号20260309"
    assert redact(text) == ("电话139****5678，座机027****6666，身份证420902********123X，邮箱***@***，井盖编号20260309")
