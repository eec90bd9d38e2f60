"""Forms of the delivery settings pages: tokens and webhooks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from academichub.core import ssrf
from academichub.delivery.webhook_models import Webhook


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “Zotero sync” or “lab dashboard”."))  # fmt: skip


class WebhookForm(forms.ModelForm):
    """The URL is checked against SSRF here (resolved now) and again at every send."""

    url = forms.URLField(label=_("URL"), max_length=1000, assume_scheme="https",
                         widget=forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"}),
                         help_text=_("Slack, Feishu, DingTalk and WeCom give this URL when you add a custom bot to a "
                                     "chat; for Telegram use https://api.telegram.org/bot<token>/sendMessage."))  # fmt: skip

    class Meta:
        model = Webhook
        fields = ["name", "kind", "url", "secret", "chat_id"]
        widgets = {"secret": forms.TextInput(attrs={"autocomplete": "off"})}
        help_texts = {
            "secret": _("Generic webhooks: left empty, a signing secret is generated. "
                        "Feishu and DingTalk: the bot's signing secret, if you enabled signing."),
        }  # fmt: skip

    def clean_url(self) -> str:
        from academichub.delivery.webhooks import check_url

        url = self.cleaned_data["url"].strip()
        try:
            check_url(url)
        except ssrf.Refused as exc:
            raise forms.ValidationError(_("This URL cannot receive webhooks: %(reason)s") % {"reason": exc})
        return url

    def clean(self):
        data = super().clean()
        if data.get("kind") == Webhook.Kind.TELEGRAM and not (data.get("chat_id") or "").strip():
            self.add_error("chat_id", _("Telegram needs the chat id to post to."))
        if data.get("kind") == Webhook.Kind.GENERIC and not (data.get("secret") or "").strip():
            from academichub.delivery.webhooks import new_secret

            data["secret"] = new_secret()  # generic webhooks are always signed
        return data
