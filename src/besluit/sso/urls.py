from besluit.sso import views

app_name = "sso"
urlpatterns = views.urlpatterns
