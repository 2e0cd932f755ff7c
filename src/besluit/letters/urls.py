"""Member letters (ledenbrieven) of an association."""

from django.urls import path

from besluit.letters import views

app_name = "letters"

L = "<slug:slug>/ledenbrieven/"
ONE = L + "<id:letter_id>/"

urlpatterns = [
    path(L, views.letter_list, name="list"),
    path(L + "nieuw/", views.letter_create, name="create"),
    path(ONE, views.letter_detail, name="detail"),
    path(ONE + "bewerken/", views.letter_edit, name="edit"),
    path(ONE + "bijlagen/", views.attachment_add, name="attachment_add"),
    path(ONE + "bijlagen/<uuid:uuid>/", views.attachment_download, name="attachment"),
    path(
        ONE + "bijlagen/<uuid:uuid>/verwijderen/", views.attachment_remove, name="attachment_remove"
    ),
    path(ONE + "uitnodiging.ics", views.invitation, name="invitation"),
    path(ONE + "versturen/", views.letter_preview, name="preview"),
    path(ONE + "verzending/", views.letter_report, name="report"),
    path(ONE + "verzending/opnieuw/", views.retry_failed, name="retry"),
    path(ONE + "verzending/<id:delivery_id>/onbestelbaar/", views.mark_bounced, name="bounced"),
]
