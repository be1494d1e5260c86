"""The catalogue: read by anyone (the resident's page needs it), edited by administrators."""

from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import model_validator

from gongzhi.core.schemas import AUTH_ERRORS, ErrorOut, ProblemsOut
from gongzhi.departments.models import Department

from .. import selectors
from ..models import Category
from ..schemas import CategoryClassOut, CategoryOut
from ..services import catalogue as services

router = Router()
Unit = Literal["hours", "days"]


class CategoryIn(Schema):
    code: str = Field(..., pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    parent: str | None = Field(None, description="the class's code; none to create a class")
    case_class: Literal["thing", "event", "community"] | None = Field(None, description="for a class")
    name_zh: str = Field(..., min_length=1, max_length=64)
    name_en: str = Field(..., min_length=1, max_length=100)
    keywords: str = Field("", max_length=300)
    response_limit: int | None = Field(None, ge=1, le=1000)
    response_unit: Unit | None = None
    handling_limit: int | None = Field(None, ge=1, le=1000)
    handling_unit: Unit | None = None
    close_criteria: str = Field("", max_length=2000)
    routing: Literal["territory", "owner", "community", "street", ""] = ""
    department_kind: str = Field("", max_length=32)
    department_level: Literal["district", "street", ""] = ""
    owner_department_id: int | None = None

    @model_validator(mode="after")
    def _terms_fit_the_level(self):
        # A class only groups sub-categories: the time limits belong to the sub-categories (422, not
        # the table's constraint failing).
        if not self.parent and (self.response_limit is not None or self.handling_limit is not None):
            raise ValueError(_("A class has no time limits: give them to its sub-categories."))
        # A limit without its unit would leave a case's clock unable to start.
        if ((self.response_limit is not None and self.response_unit is None)
                or (self.handling_limit is not None and self.handling_unit is None)):
            raise ValueError(_("A time limit needs its unit (hours or days)."))
        return self


CLEARABLE = {"response_limit", "handling_limit", "owner_department_id"}


class CategoryPatch(Schema):
    version: int | None = Field(None, description="the version you saw; a stale edit is refused (409)")
    name_zh: str | None = Field(None, min_length=1, max_length=64)
    name_en: str | None = Field(None, min_length=1, max_length=100)
    keywords: str | None = Field(None, max_length=300)
    response_limit: int | None = Field(None, ge=1, le=1000)
    response_unit: Unit | None = None
    handling_limit: int | None = Field(None, ge=1, le=1000)
    handling_unit: Unit | None = None
    close_criteria: str | None = Field(None, max_length=2000)
    routing: Literal["territory", "owner", "community", "street"] | None = None
    department_kind: str | None = Field(None, max_length=32)
    department_level: Literal["district", "street", ""] | None = None
    owner_department_id: int | None = None
    is_active: bool | None = None


def _owner(pk: int | None) -> Department | None:
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise Http404
    return department


@router.get("/categories", auth=None, response=list[CategoryClassOut], summary="The case catalogue")
def categories(request):
    return selectors.catalogue()


@router.get("/categories/suggest", auth=None, response=list[CategoryOut], summary="Categories matching a text")
def suggest(request, text: str = Query(..., min_length=1, max_length=2000)):
    return selectors.suggest_categories(text)


@router.post("/categories", response={201: CategoryOut, 400: ProblemsOut, 403: ErrorOut, 404: ErrorOut,
                                      **AUTH_ERRORS}, summary="Add a class or sub-category (administrators)")
def create(request, payload: CategoryIn):
    services.require_catalogue_manager(request.auth)
    data = payload.dict(exclude_unset=False)
    parent_code = data.pop("parent")
    parent = Category.objects.filter(code=parent_code).first() if parent_code else None
    if parent_code and parent is None:
        raise Http404
    owner = _owner(data.pop("owner_department_id"))
    data = {k: ("" if v is None and k.endswith("_unit") else v) for k, v in data.items()}
    category = services.create_category(actor=request.auth, parent=parent, owner_department=owner, **data)
    return Status(201, category)


@router.patch("/categories/{code}", response={200: CategoryOut, 400: ProblemsOut, 403: ErrorOut, 404: ErrorOut,
                                              409: ErrorOut, **AUTH_ERRORS}, summary="Edit a category (administrators)")
def edit(request, code: str, payload: CategoryPatch):
    """Only the fields sent change. `null` clears a limit or the owner department; a text, a unit,
    a choice or a flag cannot be cleared, so `null` leaves it as it is."""
    services.require_catalogue_manager(request.auth)
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    changes = {name: value for name, value in changes.items() if value is not None or name in CLEARABLE}
    if "owner_department_id" in changes:
        changes["owner_department"] = _owner(changes.pop("owner_department_id"))
    return services.update_category(actor=request.auth, category=category, changes=changes, expected_version=version)
