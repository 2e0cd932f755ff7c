"""Import many people at once: a CSV of representatives and officers, all or nothing."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from besluit.accounts.people import do_import_people
from besluit.errors import DomainError
from besluit.frame.shortcuts import association_for, client_ip, context, crumbs

EXAMPLE = (
    "naam,e-mail,lidcode,functie,rol\n"
    "Koen Schuiling,k.schuiling@groningen.nl,GM0014,burgemeester,vertegenwoordiger\n"
    "Inge de Vries,i.devries@almere.nl,GM0034,wethouder,vertegenwoordiger\n"
    "Piet Jansen,p.jansen@vereniging.nl,,,secretariaat\n"
)


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("People file (CSV)"),
        help_text=gettext_lazy("A CSV file in UTF-8, separated by commas or semicolons."),
    )


@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug, "administer")
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            report = do_import_people(
                actor=request.user,
                association=association,
                data=form.cleaned_data["file"].read(),
                ip=client_ip(request),
            )
        except DomainError as exc:
            problems = exc.problems or [exc.message]
        else:
            messages.success(
                request,
                _("%(count)d people were created with their roles.")
                % {"count": len(report.created)},
            )
            return redirect("web:people", slug)
    ctx = context(
        request,
        association,
        nav_active="people",
        form=form,
        problems=problems,
        example=EXAMPLE,
        crumbs=crumbs(
            association, (_("People"), reverse("web:people", args=[slug])), (_("Import"), "")
        ),
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "web/association/people_import.html", ctx, status=status)


urlpatterns = [
    path("<slug:slug>/mensen/import/", people_import, name="people_import"),
]
