"""The secretariat's page for its association's single sign-on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from besluit.frame.shortcuts import association_for, context, crumbs, run_service
from besluit.sso import services
from besluit.sso.forms import ProviderForm
from besluit.sso.models import Provider


@login_required
@require_http_methods(["GET", "POST"])
def provider_settings(request, slug):
    association = association_for(request, slug, "administer")
    current = Provider.objects.filter(association=association).first()
    initial = {}
    if current is not None:
        initial = {
            f: getattr(current, f)
            for f in (
                "name",
                "issuer",
                "client_id",
                "role_claim",
                "member_claim",
                "function_claim",
                "accept_amr",
                "scopes",
            )
        }
        initial["role_map"] = __import__("json").dumps(current.role_map)
    form = ProviderForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            provider = run_service(
                request,
                form,
                lambda: services.do_configure_provider(
                    actor=request.user,
                    association=association,
                    issuer=d["issuer"],
                    client_id=d["client_id"],
                    client_secret=d["client_secret"],
                    name=d["name"],
                    role_claim=d["role_claim"],
                    role_map=d["role_map"],
                    member_claim=d["member_claim"],
                    function_claim=d["function_claim"],
                    accept_amr=d["accept_amr"],
                    scopes=d["scopes"],
                ),
            )
            if provider is not None:
                messages.success(request, _("Single sign-on has been set up."))
                return redirect("sso:settings", slug)
        status = 400
    ctx = context(
        request,
        association,
        nav_active="security",
        form=form,
        provider=current,
        callback_url=request.build_absolute_uri(reverse("sso:callback")),
        crumbs=crumbs(
            association,
            (_("Security"), reverse("security:policy", args=[slug])),
            (_("Single sign-on"), ""),
        ),
    )
    return render(request, "sso/settings.html", ctx, status=status)
