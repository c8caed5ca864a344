"""Account pages. PLACEHOLDER FILE: replaced by the storefront work."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):
    return HttpResponse("account page")


urlpatterns = [
    path("account/signin/", _todo, name="signin"),
    path("account/profile/", _todo, name="profile"),
    path("account/verify-email/<str:token>/", _todo, name="verify_email"),
]
