"""Choosing the language the shop speaks: Django's set_language (the
django_language cookie), remembered on a signed-in customer's account so that
their emails are written in it too."""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_htmx.http import HttpResponseClientRefresh

from boutique.accounts.services import language_supported, user_set_language


@require_POST
def language_choose(request):
    chosen = request.POST.get("language", "").strip().lower()
    code = language_supported(chosen)
    if not code or code != chosen:
        messages.error(request, _("That language is not offered."))
        if request.htmx:
            return HttpResponseClientRefresh()
        return HttpResponseBadRequest(_("That language is not offered."))
    response = set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=code)
    if request.htmx:
        refresh = HttpResponseClientRefresh()
        for name, morsel in response.cookies.items():
            refresh.cookies[name] = morsel
        return refresh
    return response
