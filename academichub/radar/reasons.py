"""Reasons from ``core.ranking`` worded for the reader, in their language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academichub.core.ranking import Reason


def reason_text(reason: Reason) -> str:
    """One sentence per reason code; an unknown code (a newer core) shows as the code."""
    p = reason.params
    code = reason.code
    if code == "author":
        return _("by %(name)s, whom you follow") % p
    if code == "keyword":
        if p.get("where") == "title":
            return _("matches “%(term)s” in the title") % p
        return _("matches “%(term)s” in the abstract") % p
    if code == "liked":
        return ngettext("close to %(n)d paper you liked", "close to %(n)d papers you liked", p["n"]) % p
    if code == "taste":
        return _("fits your ratings (%(percent)d%% predicted 👍)") % p
    if code == "interest":
        return _("close to your interest description")
    if code == "category":
        if p.get("primary"):
            return _("in %(code)s, a category you follow") % p
        return _("cross-listed in %(code)s, a category you follow") % p
    if code == "venue":
        return _("in %(name)s, a venue you follow") % p
    if code == "popular":
        return ngettext("%(upvotes)d upvote on Hugging Face", "%(upvotes)d upvotes on Hugging Face", p["upvotes"]) % p
    if code == "new":
        return _("new on the latest day")
    return code
