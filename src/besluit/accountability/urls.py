"""Accountability (verantwoording) pages, under /<association>/verantwoording/."""

from django.urls import path

from besluit.accountability.views import commitments, motions, overview, reports

app_name = "accountability"

V = "<slug:slug>/verantwoording/"
C = V + "toezeggingen/<id:pk>/"
M = V + "moties/<id:meeting_id>/<id:number>/"
R = V + "rapportages/<id:pk>/"

urlpatterns = [
    # Public: the overview, its exports and feed, commitments and motion timelines.
    path(V, overview.overview, name="overview"),
    path(V + "toezeggingen.csv", overview.export_csv, name="export_csv"),
    path(V + "toezeggingen.json", overview.export_json, name="export_json"),
    path(V + "feed.atom", overview.feed, name="feed"),
    path(C, commitments.commitment, name="commitment"),
    path(V + "bijlagen/<uuid:uuid>/", commitments.attachment, name="attachment"),
    path(M, commitments.timeline, name="timeline"),
    # Follow-up: the board, the secretariat and the owner.
    path(C + "wijzigen/", commitments.commitment_edit, name="commitment_edit"),
    path(C + "voortgang/", commitments.commitment_update, name="commitment_update"),
    path(C + "mijlpalen/", commitments.milestone_add, name="milestone_add"),
    path(C + "mijlpalen/<id:milestone_id>/", commitments.milestone, name="milestone"),
    # The chair splits a motion; the secretariat marks a resolution's demands.
    path(M + "splitsen/", motions.motion_split, name="motion_split"),
    path(M + "delen/<id:part_id>/", motions.part_action, name="part_action"),
    path(V + "eisen/", motions.demands, name="demands"),
    path(V + "eisen/<id:proposal_id>/", motions.proposal_demands, name="proposal_demands"),
    path(
        V + "eisen/<id:proposal_id>/toezeggingen/",
        motions.demand_commitments,
        name="demand_commitments",
    ),
    path(V + "eisen/weg/<id:demand_id>/", motions.demand_remove, name="demand_remove"),
    path(V + "instellingen/", motions.settings_view, name="settings"),
    # Accountability reports to a meeting.
    path(V + "rapportages/", reports.reports, name="reports"),
    path(R, reports.report, name="report"),
    path(R + "wijzigen/", reports.report_edit, name="report_edit"),
    path(R + "toezeggingen/", reports.report_add_entries, name="report_add_entries"),
    path(R + "onderdelen/<id:entry_id>/", reports.report_entry, name="report_entry"),
    path(R + "clusters/", reports.report_cluster_add, name="report_cluster_add"),
    path(R + "clusters/<id:cluster_id>/", reports.report_cluster, name="report_cluster"),
    path(R + "publiceren/", reports.report_publish, name="report_publish"),
    path(R + "stemming/", reports.report_poll, name="report_poll"),
    path(R + "acclamatie/", reports.report_acclamation, name="report_acclamation"),
]
