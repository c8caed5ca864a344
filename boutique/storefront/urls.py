from django.urls import path

from .views import account, home

app_name = "storefront"

urlpatterns = [
    path("", home.home, name="home"),
    *account.urlpatterns,
]
