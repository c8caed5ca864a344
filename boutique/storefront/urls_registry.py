"""Gift registry pages (issue 13): the registrant's under /account/registries/,
friends' under /registry/. Included from storefront/urls.py at the root."""

from django.urls import path

from .views import registry

urlpatterns = [
    path("account/registries/", registry.registry_list, name="registry_list"),
    path("account/registries/new/", registry.registry_create, name="registry_create"),
    path("account/registries/<int:registry_id>/", registry.registry_manage, name="registry_manage"),
    path(
        "account/registries/<int:registry_id>/edit/", registry.registry_edit, name="registry_edit"
    ),
    path(
        "account/registries/<int:registry_id>/close/",
        registry.registry_close,
        name="registry_close",
    ),
    path(
        "account/registries/<int:registry_id>/share-link/",
        registry.registry_share_rotate,
        name="registry_share_rotate",
    ),
    path(
        "account/registries/<int:registry_id>/items/<int:item_id>/",
        registry.registry_item_update,
        name="registry_item_update",
    ),
    path(
        "account/registries/<int:registry_id>/items/<int:item_id>/remove/",
        registry.registry_item_remove,
        name="registry_item_remove",
    ),
    path("registry/", registry.registry_find, name="registry_find"),
    path("registry/add/", registry.registry_item_add, name="registry_item_add"),
    path("registry/<str:token>/", registry.registry_public, name="registry_public"),
    path(
        "registry/<str:token>/items/<int:item_id>/buy/",
        registry.registry_gift_buy,
        name="registry_gift_buy",
    ),
]
