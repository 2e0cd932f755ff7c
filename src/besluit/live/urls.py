from django.urls import path

from besluit.live import console, hybrid_views, rules, stream, views

app_name = "live"

M = "<slug:slug>/vergaderingen/<id:meeting_id>"

urlpatterns = [
    path("live/meetings/<id:meeting_id>/events", stream.meeting_events, name="events"),
    path("stemcode/", views.code_login, name="code_login"),
    path(f"{M}/live/", views.participant, name="participant"),
    path(f"{M}/scherm/", views.projector, name="projector"),
    path(f"{M}/voorzitter/", console.console, name="console"),
    path(f"{M}/voorzitter/stemming/openen/", console.open_vote, name="open_vote"),
    path(
        f"{M}/voorzitter/stemming/<uuid:poll_id>/sluiten/",
        console.close_vote,
        name="close_vote",
    ),
    path(f"{M}/voorzitter/paneel/<slug:name>/", console.panel, name="console_panel"),
    path(f"{M}/voorzitter/agendapunt/", views.set_current_item, name="set_current_item"),
    path(f"{M}/sprekers/", views.request_to_speak, name="request_to_speak"),
    path(
        f"{M}/sprekers/<id:speaker_id>/<slug:action>/",
        views.speaker_action,
        name="speaker_action",
    ),
    path(f"{M}/stemcodes/", views.voting_codes, name="voting_codes"),
    path("<slug:slug>/stemregels/", rules.voting_rules, name="voting_rules"),
    path(f"{M}/uitzending/", hybrid_views.stream_settings, name="stream_settings"),
    path(f"{M}/live/<slug:name>/", views.fragment, name="fragment"),
]
