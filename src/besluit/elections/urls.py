from django.urls import path

from .views import actions, live, pages, public

app_name = "elections"

M = "<slug:slug>/vergaderingen/<id:meeting_id>/verkiezingen"
E = "<slug:slug>/verkiezingen/<uuid:election_id>"

urlpatterns = [
    path(f"{M}/", pages.election_list, name="list"),
    path(f"{M}/scherm/", live.projector_panel, name="projector_panel"),
    path(f"{M}/voorzitter/", live.console_panel, name="console_panel"),
    path(f"{M}/live/", live.participant_panel, name="participant_panel"),
    path(f"{E}/", pages.election_detail, name="detail"),
    path(f"{E}/kandidaatstelling/", pages.nominate, name="nominate"),
    path(f"{E}/stemmen/", pages.vote, name="vote"),
    path(f"{E}/bundel.json", pages.bundle, name="bundle"),
    path(f"{E}/popolo.json", pages.popolo, name="popolo"),
    path(f"{E}/ronde/<slug:action>/", actions.round_action, name="round_action"),
    path(f"{E}/kandidaten/<id:number>/", pages.candidate, name="candidate"),
    path(f"{E}/kandidaten/<id:number>/foto/", pages.photo, name="photo"),
    path(
        f"{E}/kandidaten/<id:number>/<slug:action>/",
        actions.candidacy_action,
        name="candidacy_action",
    ),
    path("<slug:slug>/bestuur/", pages.board, name="board"),
    path(
        "open/<slug:slug>/verkiezingen/<uuid:election_id>/uitslag/",
        public.public_result,
        name="public_result",
    ),
]
