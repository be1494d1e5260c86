"""A page of party rows, with the free text as the caller may read it
(gongzhi.party.selectors.reading)."""

from ninja.pagination import PageNumberPagination

from ..selectors.reading import as_read_by


class ReadPages(PageNumberPagination):
    def paginate_queryset(self, queryset, pagination, **params):
        page = super().paginate_queryset(queryset, pagination, **params)
        page[self.items_attribute] = as_read_by(params["request"].auth, page[self.items_attribute])
        return page
