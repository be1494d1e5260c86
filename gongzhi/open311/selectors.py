"""Reads behind the GeoReport endpoints. Everything here is public by the standard's design; what
of it is shown is decided in presenters/privacy, and every list is a fixed number of queries."""

from django.db.models import Exists, Max, OuterRef, Prefetch

from gongzhi.cases.models import Case, CaseAttachment, CaseEvent, Category

from .forms import MAX_RESULTS, RequestQuery, UpdateQuery
from .media import PUBLIC_KINDS
from .models import Open311Attribute, Open311Request
from .status import states_for

CASE_RELATED = ("category", "category__parent", "community", "street", "district", "handling_department",
                "handling_division", "merged_into", "open311")


def _photos(to_attr: str) -> Prefetch:
    return Prefetch("attachments", queryset=CaseAttachment.objects.filter(kind__in=PUBLIC_KINDS).order_by("id"),
                    to_attr=to_attr)


def services() -> list[Category]:
    """The active sub-categories (a class is only a group), each with `has_attributes`."""
    asks = Open311Attribute.objects.filter(category=OuterRef("pk"))
    return list(Category.objects.filter(parent__isnull=False, is_active=True, parent__is_active=True)
                .select_related("parent").annotate(has_attributes=Exists(asks)).order_by("sort_order", "code"))


def service(code: str) -> Category | None:
    return (Category.objects.filter(code=code, parent__isnull=False, is_active=True, parent__is_active=True)
            .prefetch_related(Prefetch("open311_attributes", queryset=Open311Attribute.objects.order_by("order")))
            .first())


def attributes_of(category: Category) -> list[Open311Attribute]:
    return list(Open311Attribute.objects.filter(category=category).order_by("order", "code"))


def changeset() -> str:
    """When the service list or definitions last changed (the catalogue's last edit)."""
    last = Category.objects.aggregate(last=Max("updated_at"))["last"]
    return last.isoformat(timespec="seconds") if last else ""


def _cases():
    return Case.objects.select_related(*CASE_RELATED).prefetch_related(_photos("open311_photos"))


def find_requests(query: RequestQuery) -> list[Case]:
    qs = _cases()
    if query.ids:
        qs = qs.filter(tracking_number__in=query.ids)
    else:
        qs = qs.filter(submitted_at__gte=query.start, submitted_at__lte=query.end)
        if query.service_codes:
            qs = qs.filter(category__code__in=query.service_codes)
        if query.statuses:
            qs = qs.filter(state__in=states_for(query.statuses))
    return list(qs.order_by("-submitted_at", "-id")[:MAX_RESULTS])


def find_request(number: str) -> Case | None:
    return _cases().filter(tracking_number=number).first()


def request_by_token(token: str) -> Open311Request | None:
    return Open311Request.objects.select_related("case").filter(token=token).first()


def find_updates(query: UpdateQuery) -> list[CaseEvent]:
    """Public timeline rows, oldest first (a partner asks for what happened since its last look)."""
    qs = (CaseEvent.objects.filter(is_public=True)
          .select_related("case", "case__category", "open311_update")
          .prefetch_related(_photos("open311_photos")))
    if query.ids:
        qs = qs.filter(case__tracking_number__in=query.ids)
    if query.start is not None:
        qs = qs.filter(at__gte=query.start, at__lte=query.end)
    return list(qs.order_by("at", "id")[:MAX_RESULTS])
