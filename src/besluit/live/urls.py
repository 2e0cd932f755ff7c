from django.urls import path

from besluit.live import hybrid_views, stream, views

app_name = "live"

M = "<slug:slug>/vergaderingen/<id:meeting_id>"

urlpatterns = [
    path("live/meetings/<id:meeting_id>/events", stream.meeting_events, name="events"),
    path("stemcode/", views.code_login, name="code_login"),
    path(f"{M}/live/", views.participant, name="participant"),
    path(f"{M}/scherm/", views.projector, name="projector"),
    path(f"{M}/voorzitter/", views.console, name="console"),
    path(f"{M}/voorzitter/agendapunt/", views.set_current_item, name="set_current_item"),
    path(f"{M}/sprekers/", views.request_to_speak, name="request_to_speak"),
    path(
        f"{M}/sprekers/<id:speaker_id>/<slug:action>/",
        views.speaker_action,
        name="speaker_action",
    ),
    path(f"{M}/stemcodes/", views.voting_codes, name="voting_codes"),
    path(f"{M}/uitzending/", hybrid_views.stream_settings, name="stream_settings"),
    path(f"{M}/live/<slug:name>/", views.fragment, name="fragment"),
]
