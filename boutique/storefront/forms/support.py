"""Support conversation forms: they parse what was posted; the support
services decide what is valid (a guest's name and email, lengths)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from boutique.support.models import BODY_MAX, SUBJECT_MAX


class ConversationStartForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We write to you here when we answer, with a link back to this conversation."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=_("How can we help?"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(user, "is_authenticated", False):
            # A signed-in customer is known: no name or email to give.
            del self.fields["name"]
            del self.fields["email"]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
