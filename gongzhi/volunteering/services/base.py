"""What the volunteering services share: row locks, required texts, version checks, notices."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import scope
from gongzhi.core.errors import DomainError, StaleEdit


def locked(model, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def text(value, label, *, max_length: int = 200, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label})
    if len(value) > max_length:
        raise DomainError(_("%(field)s is too long.") % {"field": label})
    return value


def check_version(obj, expected) -> None:
    if expected is not None and int(expected) != obj.version:
        raise StaleEdit(_("Someone else changed this in the meantime. Reload and try again."))


def require(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied(_("You may not do this."))


def tell(users, *, verb: str, title, body="", values: dict, subject=None, url: str = "") -> None:
    """Notify after commit, in the site's language (the notice goes to people other than the actor)."""
    users = [u for u in users if u is not None]
    if not users:
        return

    def send():
        from gongzhi.notifications.services import notify

        with translation.override(settings.LANGUAGE_CODE):
            notify(users=users, verb=verb, title=str(title) % values, body=str(body) % values if body else "",
                   subject=subject, url=url)

    transaction.on_commit(send)
