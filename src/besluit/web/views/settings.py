"""The association's settings page: its language and whether its decisions are public."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from besluit.associations import services as assoc_services
from besluit.frame.shortcuts import association_for, context, crumbs, run_form
from besluit.web.forms.associations import AssociationSettingsForm


@login_required
@require_http_methods(["GET", "POST"])
def association_settings(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug, "administer")
    initial = {
        "language": association.language or settings.LANGUAGE_CODE,
        "publish_decisions": association.publish_decisions,
    }
    form = AssociationSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda d: assoc_services.do_update_settings(
                actor=request.user,
                association=association,
                language=d["language"],
                publish_decisions=d["publish_decisions"],
            ),
            # In the language just chosen, so said after the service.
            lambda _done: _("The settings have been saved."),
        )
        if done is not None:
            return redirect("web:association_settings", slug)
        status = 400
    ctx = context(
        request,
        association,
        nav_active="overview",
        form=form,
        crumbs=crumbs(association, (_("Settings"), "")),
    )
    return render(request, "web/association/settings.html", ctx, status=status)


urlpatterns = [
    path("<slug:slug>/instellingen/", association_settings, name="association_settings"),
]
