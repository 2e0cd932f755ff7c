from django.urls import path

from besluit.security import views

app_name = "security"

urlpatterns = [
    path("accounts/tweede-factor/", views.second_factor, name="second_factor"),
    path(
        "accounts/tweede-factor/verwijderen/",
        views.remove_second_factor,
        name="remove_second_factor",
    ),
    path("<slug:slug>/beveiliging/", views.policy, name="policy"),
]
