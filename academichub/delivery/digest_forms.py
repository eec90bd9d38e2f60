"""Forms for a radar's delivery settings and for saving a search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from academichub.delivery.digest_models import RadarDelivery
from academichub.delivery.webhook_models import Webhook


class RadarDeliveryForm(forms.ModelForm):
    """How often and when the digest comes, the "nothing new" notice, and which webhook gets new papers.

    Email itself is switched on with the radar's own "send by email" box;
    the frequency is the radar's ``email_frequency`` (day or week here).
    """

    frequency = forms.ChoiceField(label=_("How often"), choices=[("day", _("Daily")), ("week", _("Weekly, on Mondays"))])
    hour = forms.TypedChoiceField(label=_("At"), coerce=int, choices=[(h, f"{h:02d}:00") for h in range(24)],
                                  help_text=_("In your own time zone (see your settings)."))  # fmt: skip

    class Meta:
        model = RadarDelivery
        fields = ["frequency", "hour", "notify_empty", "webhook"]

    def __init__(self, *args, radar, **kwargs):
        super().__init__(*args, **kwargs)
        self.radar = radar
        self.fields["frequency"].initial = radar.email_frequency if radar.email_frequency in ("day", "week") else "day"
        webhook = self.fields["webhook"]
        webhook.queryset = Webhook.objects.filter(owner_id=radar.owner_id)
        webhook.empty_label = _("None")
        webhook.help_text = _("New papers of each period are posted there too (add webhooks in Settings → Webhooks).")

    def save(self, commit: bool = True) -> RadarDelivery:
        from academichub.radar.models import Radar

        options = super().save(commit=commit)
        Radar.objects.filter(pk=self.radar.pk).update(email_frequency=self.cleaned_data["frequency"])
        self.radar.email_frequency = self.cleaned_data["frequency"]
        return options


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    q = forms.CharField(max_length=1000, required=False)
    sort = forms.CharField(max_length=12, required=False)
