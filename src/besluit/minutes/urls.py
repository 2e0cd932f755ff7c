from django.urls import path

from besluit.minutes import views

app_name = "minutes"

M = "<slug:slug>/vergaderingen/<id:meeting_id>/notulen"

urlpatterns = [
    path(f"{M}/", views.page, name="page"),
    path(f"{M}/maken/", views.make_draft, name="make_draft"),
    path(f"{M}/bewerken/", views.edit, name="edit"),
    path(f"{M}/publiceren/", views.publish, name="publish"),
    path(f"{M}/correctie/", views.correction, name="correction"),
    path(f"{M}/versies/<id:number>/", views.version, name="version"),
    path(f"{M}/versies/<id:number>/overnemen/", views.accept, name="accept"),
    path(f"{M}/vaststellen/", views.adopt, name="adopt"),
    path(f"{M}/notulen.pdf", views.pdf, name="pdf"),
    path(f"open/{M}.json", views.open_data, name="open_data"),
]
