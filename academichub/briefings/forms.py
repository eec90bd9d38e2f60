"""The "new briefing" form: scope, window and language, checked before any work is queued."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from academichub.radar.models import Radar

from .models import Briefing
from .services import (
    ScopeError,
    check_scope,
    parse_paper_list,
    request_briefing,
    resolve_window,
)

LANGUAGE_CHOICES = [("en", "English"), ("zh-hans", "简体中文")]
SCOPES = Briefing.Scope.choices


class BriefingForm(forms.Form):
    scope_kind = forms.ChoiceField(label=_("Brief"), choices=SCOPES, initial="category")
    scope_value = forms.CharField(label=_("Category, query or paper ids"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("cs.CL · “diffusion policy” · arXiv ids, one per line"))  # fmt: skip
    radar = forms.ModelChoiceField(label=_("Radar"), queryset=Radar.objects.none(), required=False,
                                   empty_label=_("(one of your radars)"),
                                   help_text=_("For the scope “Radar”: its ranked papers of the window."))  # fmt: skip
    window_kind = forms.ChoiceField(label=_("Window"), choices=Briefing.Window.choices, initial="week")
    anchor = forms.DateField(label=_("Ending on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    repeat_weekly = forms.BooleanField(label=_("Write it again every week"), required=False)

    def __init__(self, *args, owner=None, **kwargs):
        """Only ``owner``'s radars are offered (and accepted): a radar is private."""
        super().__init__(*args, **kwargs)
        self.owner = owner
        if owner is not None and owner.is_authenticated:
            self.fields["radar"].queryset = Radar.objects.filter(owner=owner)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["paper_ids"] = parse_paper_list(data["scope_value"]) if data["scope_kind"] == "papers" else []
            value = self._value(data)
            data["scope_value"] = check_scope(data["scope_kind"], value, data["paper_ids"], owner=self.owner)
            if data["scope_kind"] != "papers":
                data["window"] = resolve_window(data["window_kind"], anchor=data.get("anchor"),
                                                start=data.get("start"), end=data.get("end"))  # fmt: skip
            else:
                data["window"] = (None, None)
        except ScopeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    def _value(self, data) -> str:
        """The radar picked for a radar scope (else what was typed, e.g. a radar id); the text otherwise."""
        if data["scope_kind"] == "radar" and data.get("radar"):
            return str(data["radar"].pk)
        if not (data.get("scope_value") or "").strip():
            raise ScopeError(_("Choose one of your radars.") if data["scope_kind"] == "radar"
                             else _("Enter a category, a search query or paper ids."))  # fmt: skip
        return data["scope_value"]

    def create(self, owner) -> Briefing:
        """Store the request and queue its writing."""
        data = self.cleaned_data
        return request_briefing(owner, kind=data["scope_kind"], value=data["scope_value"], window=data["window"],
                                window_kind=data["window_kind"], language=data["language"],
                                paper_ids=data["paper_ids"], repeat_weekly=data.get("repeat_weekly"))  # fmt: skip
