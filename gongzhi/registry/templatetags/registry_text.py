"""`{% free_text value row %}`: a registry row's free text as the signed-in reader may see it
(gongzhi.registry.permissions.shown_text), line breaks kept."""

from django import template
from django.template.defaultfilters import linebreaksbr

from gongzhi.registry.permissions import shown_text

register = template.Library()


@register.simple_tag(takes_context=True)
def free_text(context, value, row, breaks=True):
    request = context.get("request")
    text = shown_text(getattr(request, "user", None), value or "", row)
    return linebreaksbr(text, autoescape=True) if breaks else linebreaksbr(text, autoescape=True).replace("<br>", " ")
