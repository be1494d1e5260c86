"""One way to paginate lists in pages: `paginate(request, items)` and the `pagination` include."""

from django.core.paginator import Page, Paginator

DEFAULT_PER_PAGE = 25


def paginate(request, items, *, per_page: int = DEFAULT_PER_PAGE, param: str = "page") -> Page:
    """The page of `items` named by `?<param>=` (an invalid or out-of-range number gives the
    nearest valid page). The page remembers its parameter name for the links."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get(param))
    page.param = param
    return page
