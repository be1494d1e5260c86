"""The GeoReport v2 endpoints: read the arguments, call a selector or a service, render JSON or
XML by the URL's suffix. Errors are the spec's error bodies: 400 bad request, 403 API key,
404 unknown service, request or token (and 405 for a method an endpoint does not take, 429 for a
key over its requests per minute)."""

from functools import wraps

from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.errors import DomainError

from . import forms, presenters, ratelimit, selectors, services
from .errors import Open311Error, not_found
from .serializers import JSON, XML, errors, render

LOCALES = {"en": "en", "zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans", "zh_cn": "zh-hans"}


def endpoint(*methods: str):
    """Format, method and error handling shared by every endpoint. Answers may be asked in a
    language with `locale` (en or zh); by default the site's."""

    def wrap(view):
        @csrf_exempt
        @wraps(view)
        def inner(request, fmt: str = XML, **kwargs):
            if request.method not in methods:
                response = errors(fmt, 405, [_("Use %(methods)s here.") % {"methods": " or ".join(methods)}])
                response["Allow"] = ", ".join(methods)
                return response
            locale = LOCALES.get((request.GET.get("locale") or request.POST.get("locale") or "").lower())
            with translation.override(locale or translation.get_language()):
                try:
                    _within_rate_limit(request)
                    response = view(request, fmt, **kwargs)
                except Open311Error as exc:
                    response = errors(fmt, exc.status, exc.messages)
                    for name, value in exc.headers.items():
                        response[name] = value
                except DomainError as exc:
                    response = errors(fmt, 400, [exc.message])
            if request.method == "GET":
                response["Access-Control-Allow-Origin"] = "*"  # public data, for browser clients
            return response

        return inner

    return wrap


def _key_client(request):
    """The live partner whose api_key the request carries, or None (looked up once a request)."""
    if not hasattr(request, "_open311_client"):
        raw = request.POST.get("api_key") or request.GET.get("api_key")
        request._open311_client = services.client_for_key(raw) if raw else None
    return request._open311_client


def _within_rate_limit(request) -> None:
    """429 for a key over its requests per minute (see ratelimit)."""
    client = _key_client(request)
    if client is None:
        return
    wait = ratelimit.hit(client)
    if wait is not None:
        raise Open311Error(429, _("Too many requests with this api_key: at most %(n)d a minute. Try again in "
                                  "%(s)d seconds.") % {"n": ratelimit.limit_for(client), "s": wait},
                           headers={"Retry-After": str(wait)})


def _client(request):
    """The partner posting, by its api_key (403 when missing, unknown or revoked)."""
    raw = request.POST.get("api_key") or request.GET.get("api_key")
    if not raw:
        raise Open311Error(403, _("api_key is required to post."))
    client = _key_client(request)
    if client is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed."))
    return client


@endpoint("GET")
def discovery(request, fmt):
    return render(fmt, "discovery", presenters.discovery(request, selectors.changeset()))


@endpoint("GET")
def service_list(request, fmt):
    return render(fmt, "services", [presenters.service(c) for c in selectors.services()])


@endpoint("GET")
def service_definition(request, fmt, service_code: str):
    category = selectors.service(service_code)
    if category is None:
        raise not_found(_("service_code %(code)s was not found.") % {"code": service_code})
    return render(fmt, "service_definition",
                  presenters.definition(category, category.open311_attributes.all()))


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        client = _client(request)
        row = services.submit_request(client=client, data=forms.request_in(request.POST))
        return render(fmt, "service_requests", [presenters.created(row.case, row)], status=201)
    cases = selectors.find_requests(forms.request_query(request.GET))
    return render(fmt, "service_requests", [presenters.request(c, request) for c in cases])


@endpoint("GET")
def request_detail(request, fmt, service_request_id: str):
    case = selectors.find_request(service_request_id)
    if case is None:
        raise not_found(_("service_request_id %(id)s was not found.") % {"id": service_request_id})
    return render(fmt, "service_requests", [presenters.request(case, request)])


@endpoint("GET")
def token(request, fmt, token: str):
    row = selectors.request_by_token(token)
    if row is None:
        raise not_found(_("token %(token)s was not found.") % {"token": token})
    return render(fmt, "service_requests", [presenters.token(row)])


@endpoint("GET", "POST")
def updates(request, fmt):
    if request.method == "POST":
        client = _client(request)
        partner = services.post_update(client=client, data=forms.update_in(request.POST))
        return render(fmt, "service_request_updates", [presenters.posted_update(partner)], status=201)
    events = selectors.find_updates(forms.update_query(request.GET))
    return render(fmt, "service_request_updates", [presenters.update(e, request) for e in events])


@csrf_exempt
def unknown(request, path: str = ""):
    """Anything else under /open311/v2/: the spec's 404 error body (JSON when asked in .json)."""
    return errors(JSON if path.endswith(".json") else XML, 404,
                  [_("No GeoReport resource at %(path)s: see discovery.xml.") % {"path": request.path}])
