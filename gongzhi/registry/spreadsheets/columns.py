"""The columns of each registry spreadsheet, in Chinese (the default) and English.

One list per entity serves the template, the importer (which accepts either language's headers, in
any order, and ignores columns it does not know) and the exporter (whose files have the template's
columns first, so a corrected export can be read back).
"""

from dataclasses import dataclass

from django.db import models

from ..choices import (
    FacilityKind,
    Gender,
    HouseholdKind,
    OrganisationKind,
    Relation,
    Residence,
    ResidentStatus,
    ThingCategory,
    ThingState,
)

ZH, EN = "zh", "en"
LANGUAGES = (ZH, EN)

# The words a community's spreadsheet uses for each stored value.
CHOICE_WORDS: dict[type[models.TextChoices], dict[str, str]] = {
    Gender: {"male": "男", "female": "女"},
    HouseholdKind: {"owner_occupied": "自住", "rented": "出租", "vacant": "空置", "collective": "集体户"},
    Relation: {"head": "户主", "spouse": "配偶", "child": "子女", "child_in_law": "儿媳女婿", "grandchild": "孙辈",
               "parent": "父母", "grandparent": "祖父母", "sibling": "兄弟姐妹", "tenant": "租户", "other": "其他"},
    Residence: {"both": "人户一致", "living_only": "人在户不在", "registered_only": "户在人不在"},
    ResidentStatus: {"active": "在住", "moved_out": "已迁出", "deceased": "已故"},
    ThingCategory: {"public_utilities": "公用设施", "roads_traffic": "道路交通", "city_appearance": "市容环境",
                    "greenery": "园林绿化", "housing_land": "房屋土地", "other": "其他设施"},
    ThingState: {"good": "完好", "damaged": "破损", "missing": "丢失", "obstructed": "占用"},
    FacilityKind: {"community_office": "社区办公用房", "service_room": "服务用房", "one_stop_hall": "一站式服务大厅",
                   "party_service_centre": "党群服务中心", "neighbourhood_centre": "邻里中心",
                   "activity_room": "活动室", "square": "活动广场", "elderly_care_station": "养老服务站",
                   "clinic": "卫生服务站", "other": "其他"},
    OrganisationKind: {"residents_committee": "居委会", "owners_committee": "业委会", "property_company": "物业公司",
                       "supervision_committee": "居务监督委员会", "social_organisation": "社会组织",
                       "volunteer_organisation": "志愿服务组织", "work_unit": "驻区单位", "shop": "商户",
                       "other": "其他"},
}
# Further words people write: "男性", "租住" …
EXTRA_WORDS = {
    Gender: {"男性": "male", "女性": "female", "m": "male", "f": "female"},
    HouseholdKind: {"租住": "rented", "自有": "owner_occupied", "集体": "collective"},
    Relation: {"本人": "head", "妻": "spouse", "夫": "spouse", "子": "child", "女": "child", "父": "parent",
               "母": "parent", "孙子": "grandchild", "孙女": "grandchild"},
}


def word(choices: type[models.TextChoices], value: str, language: str) -> str:
    if not value:
        return ""
    if language == ZH:
        return CHOICE_WORDS[choices].get(value, value)
    return str(choices(value).label)


def choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling (value, Chinese word, English label, lower case) → stored value."""
    out = {}
    for value, label in choices.choices:
        out[value] = value
        out[str(label).lower()] = value
    for value, zh in CHOICE_WORDS[choices].items():
        out[zh] = value
    out.update(EXTRA_WORDS.get(choices, {}))
    return out


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"  # text int decimal float date choice phone id_number address grid tags
    required: bool = False
    choices: type[models.TextChoices] | None = None
    max_length: int = 200
    width: int = 14
    help_zh: str = ""
    help_en: str = ""
    example: object = ""

    def header(self, language: str) -> str:
        return self.zh if language == ZH else self.en


def _c(key, zh, en, **kw) -> Column:
    return Column(key, zh, en, **kw)


RESIDENTS = [
    _c("name", "姓名", "Name", required=True, max_length=64, width=10, example="张伟"),
    _c("gender", "性别", "Gender", kind="choice", choices=Gender, width=6, example="男",
       help_zh="男/女；有身份证号时可不填", help_en="male/female; may be left empty when the ID number is given"),
    _c("birth_date", "出生日期", "Birth date", kind="date", width=12, example="1980-01-02",
       help_zh="如 1980-01-02；有身份证号时可不填",
       help_en="e.g. 1980-01-02; may be empty when the ID number is given"),
    _c("id_number", "公民身份号码", "ID number", kind="id_number", width=21, example="429999198001020016",
       help_zh="18位，单元格设为文本格式", help_en="18 characters; keep the column formatted as text"),
    _c("phone", "联系电话", "Phone", kind="phone", width=14, example="13900000000",
       help_zh="11位手机号或带区号的固话", help_en="11-digit mobile or a landline with its area code"),
    _c("building", "楼栋地址", "Building address", kind="address", required=True, width=24, example="槐荫路12号3栋",
       help_zh="须与已登记楼栋地址一致", help_en="as the building is registered"),
    _c("room", "房号", "Room", max_length=32, width=10, example="2单元301", help_zh="平房可不填",
       help_en="empty for a house"),
    _c("household_kind", "住户类型", "Household kind", kind="choice", choices=HouseholdKind, width=10,
       example="自住"),
    _c("relation", "与户主关系", "Relation to head", kind="choice", choices=Relation, width=10, example="户主"),
    _c("residence", "居住情况", "Residence", kind="choice", choices=Residence, width=12, example="人户一致"),
    _c("registered_address", "户籍地址", "Registered address", width=24, example="湖北省孝感市孝南区"),
    _c("tags", "标签", "Tags", kind="tags", width=16, example="党员、退役军人",
       help_zh="多个用顿号分隔", help_en="several separated by commas"),
    _c("permit_valid_from", "居住证起始日期", "Residence permit from", kind="date", width=14,
       help_zh="流动人口填写", help_en="floating population only"),
    _c("permit_valid_until", "居住证截止日期", "Residence permit until", kind="date", width=14),
    _c("notes", "备注", "Notes", max_length=2000, width=20),
]

BUILDINGS = [
    _c("address", "楼栋地址", "Address", required=True, width=24, example="槐荫路12号3栋",
       help_zh="在区内唯一", help_en="unique in the district"),
    _c("name", "名称", "Name", max_length=100, width=16, example="阳光小区3栋"),
    _c("grid_code", "网格编码", "Grid code", kind="grid", required=True, width=18, example="420902001001001"),
    _c("floors", "层数", "Floors", kind="int", width=6, example=6),
    _c("units", "单元数", "Units", kind="int", width=6, example=2),
    _c("lng", "经度", "Longitude", kind="float", width=12, example=113.91),
    _c("lat", "纬度", "Latitude", kind="float", width=12, example=30.91),
]

THINGS = [
    _c("code", "部件编码", "Code", required=True, max_length=32, width=20),
    _c("category", "大类", "Category", kind="choice", choices=ThingCategory, required=True, width=10,
       example="公用设施"),
    _c("kind", "小类", "Kind", max_length=64, width=10, example="井盖"),
    _c("state", "状态", "State", kind="choice", choices=ThingState, width=8, example="完好"),
    _c("grid_code", "网格编码", "Grid code", kind="grid", required=True, width=18),
    _c("address", "位置描述", "Address", width=24),
    _c("owner_unit", "权属单位", "Owned or managed by", max_length=100, width=16),
    _c("lng", "经度", "Longitude", kind="float", width=12),
    _c("lat", "纬度", "Latitude", kind="float", width=12),
]

FACILITIES = [
    _c("name", "名称", "Name", required=True, max_length=100, width=20, example="书院社区党群服务中心"),
    _c("kind", "类型", "Kind", kind="choice", choices=FacilityKind, required=True, width=14, example="党群服务中心"),
    _c("grid_code", "网格编码", "Grid code", kind="grid", required=True, width=18),
    _c("address", "地址", "Address", width=24),
    _c("floor_area_m2", "建筑面积（平方米）", "Floor area (m²)", kind="decimal", width=10, example=650),
    _c("opening_hours", "开放时间", "Opening hours", max_length=100, width=16, example="周一至周日 8:30-17:30"),
    _c("lng", "经度", "Longitude", kind="float", width=12),
    _c("lat", "纬度", "Latitude", kind="float", width=12),
]

ORGANISATIONS = [
    _c("name", "名称", "Name", required=True, max_length=100, width=20),
    _c("kind", "类型", "Kind", kind="choice", choices=OrganisationKind, required=True, width=14, example="业委会"),
    _c("grid_code", "网格编码", "Grid code", kind="grid", required=True, width=18),
    _c("address", "地址", "Address", width=24),
    _c("credit_code", "统一社会信用代码", "Unified social credit code", max_length=18, width=20),
    _c("contact_name", "联系人", "Contact", max_length=64, width=10),
    _c("contact_phone", "联系电话", "Contact phone", kind="phone", width=14),
]

SHEETS: dict[str, list[Column]] = {
    "residents": RESIDENTS, "buildings": BUILDINGS, "things": THINGS, "facilities": FACILITIES,
    "organisations": ORGANISATIONS,
}
SHEET_TITLES = {
    "residents": ("居民", "Residents"), "buildings": ("楼栋", "Buildings"), "things": ("部件", "Things"),
    "facilities": ("阵地", "Facilities"), "organisations": ("组织", "Organisations"),
    "households": ("住户", "Households"), "visits": ("走访", "Visits"),
}
PROBLEMS_HEADER = {ZH: "问题", EN: "Problems"}


def title(entity: str, language: str) -> str:
    zh, en = SHEET_TITLES[entity]
    return zh if language == ZH else en


def header_map(columns: list[Column]) -> dict[str, Column]:
    """Every accepted header (Chinese, English, key; trimmed, lower case) → its column."""
    out = {}
    for column in columns:
        for text in (column.zh, column.en, column.key):
            out[normalise_header(text)] = column
    return out


def normalise_header(text) -> str:
    return "".join(str(text or "").split()).lower().rstrip("*").replace("（", "(").replace("）", ")")
