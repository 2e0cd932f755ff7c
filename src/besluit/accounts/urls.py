from django.contrib.auth import views as auth_views
from django.urls import path

from besluit.accounts import views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<id:token_id>/intrekken/", views.token_revoke, name="token_revoke"),
]

# Login and logout keep Django's global names ('login', 'logout'). The logout view is the
# sso app's (besluit.urls): Django's, plus the provider's logout after a single sign-on.
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
]
