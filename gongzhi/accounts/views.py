from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import scope
from gongzhi.core.errors import DomainError

from . import selectors, services
from .forms import LoginForm, PasswordChangeForm, TokenForm


class GongzhiLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = GongzhiLoginView.as_view()


@require_POST
def logout_view(request):
    auth.logout(request)
    return redirect("accounts:login")


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this after too many failed logins (status 429)."""
    if request.path_info.startswith("/api/") and response is not None:
        return response  # the API has already answered 429 in JSON
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@login_required
def profile(request):
    return render(request, "accounts/profile.html", {"assignments": scope.assignments(request.user)})


@login_required
@never_cache
def password_change(request):
    """The user's own change; also where a one-time password from an administrator must be
    replaced before anything else (see PasswordChangeRequiredMiddleware)."""
    required = request.user.must_change_password
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revoked = services.change_password(actor=request.user, old_password=form.cleaned_data["old_password"],
                                               new_password=form.cleaned_data["new_password"])
        except DomainError as exc:
            field = "old_password" if exc.code == "wrong_password" else "new_password"
            form.add_error(field, str(exc.message))
        else:
            request.user.refresh_from_db(fields=["password", "must_change_password"])
            auth.update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            if revoked:
                messages.info(request, ngettext(
                    "%(n)d API token was revoked: programs using it must get a new one.",
                    "%(n)d API tokens were revoked: programs using them must get new ones.", revoked)
                    % {"n": revoked})
            if required:
                return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form, "required": required,
                                                             "next": _safe_next(request)})


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


@login_required
@never_cache
def tokens(request):
    """The user's own API tokens. A new token's key is shown in this one response only."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.issue_token(actor=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    rows = selectors.tokens_for(request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": rows, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = selectors.token_for(request.user, pk)
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” has been revoked.") % {"name": token})
    return redirect("accounts:tokens")
