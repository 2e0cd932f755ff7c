"""The person's own API tokens: issue one (its secret shown once), see them, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from besluit.accounts import tokens
from besluit.accounts.forms import TokenCreateForm
from besluit.accounts.models import ApiToken
from besluit.errors import DomainError


def _no_code_account(request):
    if request.user.is_code_account:
        raise Http404("A voting code's account has no API tokens.")


@never_cache  # the page that shows a new secret is never kept by a browser or proxy
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    _no_code_account(request)
    form = TokenCreateForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = tokens.do_issue_token(
                    actor=request.user,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                    ip=request.META.get("REMOTE_ADDR"),
                )
                form = TokenCreateForm()
            except DomainError as exc:
                form.add_error(None, exc.message)
        if secret is None:
            status = 400
    rows = [(t, tokens.status(t)) for t in tokens.visible_tokens(request.user)]
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "secret": secret, "rows": rows},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    _no_code_account(request)
    token = tokens.visible_tokens(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    try:
        tokens.do_revoke_token(actor=request.user, token=token, ip=request.META.get("REMOTE_ADDR"))
        messages.success(
            request, _("The token '%(name)s' has been revoked.") % {"name": token.name}
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:tokens")


__all__ = ["ApiToken", "token_list", "token_revoke"]
