"""Pages for the second factor (set up, confirm, remove) and an association's policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit import access
from besluit.associations.models import Role
from besluit.errors import DomainError
from besluit.frame.shortcuts import association_for, client_ip, context
from besluit.security import services
from besluit.security.forms import PolicyForm, TokenForm


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """Set up the second factor, or confirm a code after the password."""
    user = request.user
    device = services.confirmed_device(user)
    required = bool(request.session.get(services.SESSION_FLAG))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        try:
            if device is None:
                services.do_confirm_totp(request=request, token=token)
                messages.success(request, _("Your second factor is set up."))
            else:
                services.do_verify_totp(request=request, token=token)
            return redirect(_next(request))
        except DomainError as exc:
            form.add_error("token", exc.message)
    ctx = {"form": form, "required": required, "next": _next(request), "device": device}
    if device is None:
        pending = services.pending_device(user) or services.do_start_totp(user=user)
        ctx.update(
            qr_code=services.qr_code_data_uri(pending), secret=services.secret_base32(pending)
        )
    ctx["verified"] = device is not None and user.is_verified()
    status = 400 if request.method == "POST" else 200
    return render(request, "security/second_factor.html", ctx, status=status)


@login_required
@require_POST
def remove_second_factor(request):
    try:
        services.do_remove_totp(request=request)
        messages.success(request, _("Your second factor has been removed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("security:second_factor")


@login_required
@require_http_methods(["GET", "POST"])
def policy(request, slug):
    association = association_for(request, slug)
    if not access.can_administer(request.user, association):
        raise PermissionDenied(_("Only the secretariat may do this."))
    current = services.policy_for(association)
    form = PolicyForm(request.POST or None, initial={"totp_required": current.totp_required})
    if request.method == "POST" and form.is_valid():
        services.do_set_totp_policy(
            actor=request.user,
            association=association,
            required=form.cleaned_data["totp_required"],
            ip=client_ip(request),
        )
        messages.success(request, _("The security settings have been saved."))
        return redirect("security:policy", slug)
    officers = (
        Role.objects.filter(association=association, kind__in=services.OFFICER_KINDS)
        .select_related("user")
        .order_by("user__username", "kind")
    )
    with_device = set(
        services.TOTPDevice.objects.filter(
            user__in=[r.user_id for r in officers], confirmed=True
        ).values_list("user_id", flat=True)
    )
    rows = [{"role": r, "has_device": r.user_id in with_device} for r in officers]
    return render(
        request,
        "security/policy.html",
        context(
            request,
            association,
            nav_active="security",
            form=form,
            policy=current,
            officers=rows,
        ),
    )
