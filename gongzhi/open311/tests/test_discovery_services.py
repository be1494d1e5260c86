"""Service discovery, GET services and GET a service definition, against the spec's examples."""

import pytest

from .conftest import parse

pytestmark = pytest.mark.django_db


def test_discovery_json_has_the_spec_fields(api):
    response = api.get("discovery.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    doc = parse(response)
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    assert doc["changeset"]
    [endpoint] = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_xml_and_the_root(api):
    for path in ("discovery.xml", ""):
        root = parse(api.get(path))
        assert root.tag == "discovery"
        assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
        assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml",
                                                                                        "application/json"]


def test_services_json_lists_sub_categories_grouped_by_class(api, o311):
    services = parse(api.get("services.json"))
    codes = [s["service_code"] for s in services]
    assert "litter" in codes and "noise" in codes
    assert "event-appearance" not in codes  # a class is a group, not a service
    litter = next(s for s in services if s["service_code"] == "litter")
    assert litter == {
        "service_code": "litter", "service_name": "Rubbish left in the open",
        "description": litter["description"], "metadata": True, "type": "realtime",
        "keywords": litter["keywords"], "group": "City appearance",
    }
    assert "垃圾" in litter["keywords"].split(", ")
    # A service without attributes says so: no need to fetch its definition.
    assert next(s for s in services if s["service_code"] == "bus-shelter")["metadata"] is False


def test_services_xml(api):
    root = parse(api.get("services.xml"))
    assert root.tag == "services"
    litter = next(s for s in root.findall("service") if s.findtext("service_code") == "litter")
    assert litter.findtext("metadata") == "true"
    assert litter.findtext("type") == "realtime"
    assert litter.findtext("group") == "City appearance"


def test_inactive_services_are_not_listed(api, o311):
    o311.catalogue["litter"].is_active = False
    o311.catalogue["litter"].save(update_fields=["is_active"])
    assert "litter" not in [s["service_code"] for s in parse(api.get("services.json"))]
    assert api.get("services/litter.json").status_code == 404


def test_services_in_chinese_with_locale(api):
    services = parse(api.get("services.json", locale="zh"))
    litter = next(s for s in services if s["service_code"] == "litter")
    assert litter["service_name"] == "暴露垃圾"
    assert litter["group"] == "市容环境"


def test_service_definition_json_for_noise(api):
    response = api.get("services/noise.json")
    assert response.status_code == 200
    definition = parse(response)
    assert definition["service_code"] == "noise"
    first, second = definition["attributes"]
    assert first == {
        "variable": True, "code": "time_of_day", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 1, "description": "When does the noise usually happen?",
        "values": [{"key": "morning", "name": "Early morning (6–8)"}, {"key": "daytime", "name": "Daytime (8–18)"},
                   {"key": "evening", "name": "Evening (18–22)"}, {"key": "night", "name": "Night (22–6)"}],
    }
    assert second["code"] == "source" and second["required"] is False and second["order"] == 2


def test_service_definition_xml_with_every_kind_of_attribute(api):
    root = parse(api.get("services/dangerous-building.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "dangerous-building"
    info, question = root.findall("attributes/attribute")
    assert info.findtext("variable") == "false"  # information for the user, no input
    assert question.findtext("datatype") == "singlevaluelist"
    assert [v.findtext("key") for v in question.findall("values/value")] == ["yes", "no"]
    # A number attribute has no values list, and says how to fill it in.
    number = parse(api.get("services/street-light.xml")).findall("attributes/attribute")[1]
    assert number.findtext("datatype") == "number"
    assert number.find("values") is None
    assert number.findtext("datatype_description") == "A whole number, e.g. 3"


def test_service_without_attributes_has_an_empty_definition(api):
    assert parse(api.get("services/bus-shelter.json")) == {"service_code": "bus-shelter", "attributes": []}
    assert parse(api.get("services/bus-shelter.xml")).find("attributes") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_with_an_error_body(api, fmt):
    response = api.get(f"services/no-such-thing.{fmt}")
    assert response.status_code == 404
    body = parse(response)
    if fmt == "json":
        assert body == [{"code": 404, "description": "service_code no-such-thing was not found."}]
    else:
        assert body.tag == "errors"
        assert body.findtext("error/code") == "404"
        assert "no-such-thing" in body.findtext("error/description")


def test_unknown_resource_and_format_are_404(api):
    response = api.get("nothing-here.json")
    assert response.status_code == 404
    assert parse(response)[0]["code"] == 404
    response = api.get("services.csv")
    assert response.status_code == 404
    assert parse(response).tag == "errors"


def test_a_method_an_endpoint_does_not_take(api):
    response = api.post("services.json", {})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert parse(response)[0]["code"] == 405


def test_public_reads_allow_browser_clients(api):
    assert api.get("services.json")["Access-Control-Allow-Origin"] == "*"
