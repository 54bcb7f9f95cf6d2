"""Template tags for the admin's own pages (the index panel, the lockout page)."""

from django import template

from clinic.core import glance

register = template.Library()


@register.simple_tag(takes_context=True)
def clinic_at_a_glance(context) -> dict:
    """The panel's items and banners for the signed-in user (see `clinic.core.glance`)."""
    items, banners = glance.collect(context["request"])
    return {"items": items, "banners": banners}


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes, rounded up (the lockout page's "try again in N minutes")."""
    return -(-int(value.total_seconds()) // 60)
