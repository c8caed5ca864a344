"""Support conversation pages (issue 10), under /support/."""

from django.urls import path

from .views import support

urlpatterns = [
    path("", support.conversation_list, name="support_list"),
    path("new/", support.conversation_new, name="support_new"),
    path("<int:conversation_id>/", support.conversation_detail, name="support_conversation"),
    path(
        "<int:conversation_id>/messages/",
        support.conversation_messages,
        name="support_messages",
    ),
    # A guest's thread: the signed link is the key (see boutique.support.tokens).
    path("g/<str:token>/", support.guest_conversation, name="support_guest"),
    path(
        "g/<str:token>/messages/",
        support.guest_conversation_messages,
        name="support_guest_messages",
    ),
]
