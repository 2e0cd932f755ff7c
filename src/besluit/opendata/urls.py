"""Open data (public, no login) under /open/."""

from django.urls import path

from besluit.opendata import views

app_name = "opendata"

M = "<slug:slug>/vergaderingen/<id:meeting_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("controlepunten.json", views.checkpoints, {"fmt": "json"}, name="checkpoints"),
    path("controlepunten.atom", views.checkpoints, {"fmt": "atom"}, name="checkpoints_atom"),
    path(
        "stemmingen/<uuid:poll_id>/controlepunt.json",
        views.poll_checkpoint,
        name="poll_checkpoint",
    ),
    path("<slug:slug>/", views.association_page, name="association"),
    path("<slug:slug>/popolo.json", views.association_download, {"fmt": "json"}, name="popolo"),
    path("<slug:slug>/open-data.zip", views.association_download, {"fmt": "zip"}, name="zip"),
    path("<slug:slug>/ori.jsonld", views.association_ori, name="ori"),
    path("<slug:slug>/<str:table>.csv", views.association_table, name="table"),
    path("<slug:slug>/stemmingen/<uuid:poll_id>/bundel.json", views.poll_bundle, name="bundle"),
    path(
        "<slug:slug>/verkiezingen/<uuid:election_id>/bundel.json",
        views.election_bundle,
        name="election_bundle",
    ),
    path(M + "popolo.json", views.meeting_download, {"fmt": "json"}, name="meeting_popolo"),
    path(M + "open-data.zip", views.meeting_download, {"fmt": "zip"}, name="meeting_zip"),
    path(M + "ori.jsonld", views.meeting_ori, name="meeting_ori"),
    path(M + "<str:table>.csv", views.meeting_table, name="meeting_table"),
]
