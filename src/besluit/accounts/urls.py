from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"

urlpatterns = []

# Login and logout keep Django's global names ('login', 'logout').
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
