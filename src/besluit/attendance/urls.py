from django.urls import path

from besluit.attendance.views import paper, proxies, register

app_name = "attendance"

M = "<slug:slug>/vergaderingen/<id:meeting_id>/"
P = "<slug:slug>/stemmingen/<uuid:poll_id>/"
V = M + "volmachten/<uuid:proxy_id>/"

urlpatterns = [
    path(M + "aanwezigheid/", register.register, name="register"),
    path(M + "aanwezigheid.csv", register.register_csv, name="register_csv"),
    path(M + "aanwezigheid/inchecken/", register.check_in, name="check_in"),
    path(M + "aanwezigheid/vertrek/", register.check_out, name="check_out"),
    path(M + "aanwezigheid/zelf/", register.self_check_in, name="self_check_in"),
    path(M + "aanwezigheid/instellingen/", register.meeting_settings, name="settings"),
    path(M + "aanwezigheid/qr-kaarten/", register.qr_cards, name="qr_cards"),
    path(M + "aanwezigheid/stand/<slug:where>/", register.summary, name="summary"),
    path(M + "volmachten/", proxies.proxies, name="proxies"),
    path(M + "volmachten/regel/", proxies.proxy_rule, name="proxy_rule"),
    path(V + "besluit/", proxies.decide, name="proxy_decide"),
    path(V + "intrekken/", proxies.revoke, name="proxy_revoke"),
    path(V + "document/", proxies.document, name="proxy_document"),
    path(P + "namens/", proxies.proxy_vote, name="proxy_vote"),
    path(P + "papier/", paper.paper_ballot, name="paper_ballot"),
    path(P + "papierronde/", paper.paper_round, name="paper_round"),
    path(P + "vergaderquorum/", paper.require_quorum, name="require_quorum"),
]
