from django.contrib import auth
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


class GongzhiLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


login_view = GongzhiLoginView.as_view()


@require_POST
def logout_view(request):
    auth.logout(request)
    return redirect("accounts:login")


def locked_out(request, credentials, *args, **kwargs):
    return render(request, "accounts/locked_out.html", status=429)
