"""URLs of the texts pages: everything under <association>/teksten/."""

from django.urls import path

from besluit.texts.views import amendments, consultation, pdfs, text

app_name = "texts"

P = "<slug:slug>/teksten/voorstel/<id:proposal_id>/"

urlpatterns = [
    path("<slug:slug>/teksten/", text.index, name="index"),
    path(P, text.proposal, name="proposal"),
    path(P + "versie/<id:number>/", text.version, name="version"),
    path(P + "versie/<id:number>/json", text.version_json, name="version_json"),
    path(P + "vergelijk/", text.compare, name="compare"),
    path(P + "vergelijk/pdf/", text.compare_pdf, name="compare_pdf"),
    path(P + "concept/", text.draft, name="draft"),
    path(P + "concept/nieuw/", text.draft_start, name="draft_start"),
    path(P + "concept/importeren/", text.draft_import, name="draft_import"),
    path(P + "concept/redenen/", text.draft_reasons, name="draft_reasons"),
    path(P + "concept/publiceren/", text.draft_publish, name="draft_publish"),
    path(P + "concept/weggooien/", text.draft_discard, name="draft_discard"),
    path(P + "raadpleging/", consultation.consultation, name="consultation"),
    path(P + "raadpleging/openen/", consultation.consultation_open, name="consultation_open"),
    path(
        "<slug:slug>/teksten/raadpleging/<id:consultation_id>/sluiten/",
        consultation.consultation_close,
        name="consultation_close",
    ),
    path(
        "<slug:slug>/teksten/raadpleging/<id:consultation_id>/bijeenkomst/",
        consultation.session_add,
        name="session_add",
    ),
    path(
        "<slug:slug>/teksten/raadpleging/<id:consultation_id>/inbreng/",
        consultation.input_add,
        name="input_add",
    ),
    path(
        "<slug:slug>/teksten/inbreng/<id:input_id>/reactie/",
        consultation.respond,
        name="respond",
    ),
    path(P + "amendementen/", amendments.amendments, name="amendments"),
    path(P + "amendementen/nieuw/", amendments.amend, name="amend"),
    path(P + "amendementen/volgorde/", amendments.vote_order, name="vote_order"),
    path(P + "amendementen/koppelen/", amendments.link, name="link_amendments"),
    path(P + "vastgestelde-tekst/", amendments.compose_adopted, name="compose_adopted"),
    path(
        "<slug:slug>/teksten/amendement/<id:amendment_id>/passage/",
        amendments.passage,
        name="passage",
    ),
    path("<slug:slug>/teksten/vergadering/<id:meeting_id>/boek/", pdfs.books_page, name="books"),
    path(
        "<slug:slug>/teksten/vergadering/<id:meeting_id>/boek/<str:kind>/",
        pdfs.book_request,
        name="book_request",
    ),
    path("<slug:slug>/teksten/pdf/<uuid:job_id>/", pdfs.job_status, name="job"),
    path("<slug:slug>/teksten/pdf/<uuid:job_id>/download/", pdfs.job_download, name="job_download"),
    path("<slug:slug>/teksten/huisstijl/", pdfs.branding, name="branding"),
    path("<slug:slug>/teksten/huisstijl/logo/", pdfs.logo, name="logo"),
]
