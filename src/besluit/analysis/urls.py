from django.urls import path

from besluit.analysis import views

app_name = "analysis"

urlpatterns = [
    path("<slug:slug>/gewichten/analyse/", views.analyse_page, name="analyse"),
]
