"""Proxies (volmachten): request, approve or refuse, revoke; the statutes' limit."""

from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Association, Member
from besluit.attendance import selectors
from besluit.attendance.announce import attendance_changed
from besluit.attendance.models import Proxy, ProxyRule
from besluit.audit.services import record
from besluit.core import safetext
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.meetings.models import Meeting
from besluit.uploads import check_upload
from besluit.voting.models import Poll, RegisterEntry


def do_set_proxy_rule(
    *, actor, association: Association, valid_from: date, max_represented: int, label: str = ""
) -> ProxyRule:
    """The statutes' limit from a date: how many members one member may represent."""
    access.require_administer(actor, association)
    if max_represented < 0 or max_represented > 100:
        raise ValidationFailed(_("Give a number from 0 to 100."), field="max_represented")
    if problem := safetext.problem(label):
        raise ValidationFailed(problem, field="label")
    with transaction.atomic():
        rule, _created = ProxyRule.objects.update_or_create(
            association=association,
            valid_from=valid_from,
            defaults={"max_represented": max_represented, "label": label[:200]},
        )
        record(
            "proxy_rule.set",
            actor=actor,
            association=association,
            obj=rule,
            valid_from=valid_from.isoformat(),
            max_represented=max_represented,
        )
    return rule


def _limit(meeting: Meeting) -> int:
    rule = selectors.proxy_rule_in_force(meeting.association, selectors.meeting_day(meeting))
    return rule.max_represented if rule is not None else 0


def _check(meeting: Meeting, grantor: Member, holder: Member, *, exclude: int | None = None):
    """The statutes' rules for a proxy from grantor to holder; raises the first broken."""
    if meeting.status == Meeting.Status.CLOSED:
        raise Conflict(_("The meeting is closed."))
    if grantor.pk == holder.pk:
        raise ValidationFailed(_("A member cannot give a proxy to itself."), field="holder")
    for m in (grantor, holder):
        if m.association_id != meeting.association_id or not m.active:
            raise ValidationFailed(
                _("%(member)s is not an active member of this association.") % {"member": m},
                field="holder",
            )
    limit = _limit(meeting)
    if limit == 0:
        raise Conflict(_("The statutes allow no proxies for this meeting."))
    active = selectors.active_proxies(meeting).exclude(pk=exclude)
    if active.filter(grantor=grantor).exists():
        raise Conflict(
            _("%(member)s has given a proxy for this meeting already.") % {"member": grantor},
            field="grantor",
        )
    if active.filter(grantor=holder).exists() or active.filter(holder=grantor).exists():
        raise Conflict(
            _(
                "A proxy cannot be passed on: %(holder)s has given a proxy itself, or "
                "%(grantor)s holds one (no chains A→B→C)."
            )
            % {"holder": holder, "grantor": grantor},
            field="holder",
        )
    held = active.filter(holder=holder).count()
    if held >= limit:
        raise Conflict(
            _(
                "%(holder)s represents %(held)s member(s) already; the statutes allow at "
                "most %(limit)s per member."
            )
            % {"holder": holder, "held": held, "limit": limit},
            field="holder",
        )


def _require_present(meeting: Meeting, holder: Member) -> None:
    if selectors.open_attendance(meeting, holder) is None:
        raise Conflict(
            _(
                "%(holder)s is not present: a proxy is approved only for a member that "
                "has checked in."
            )
            % {"holder": holder},
            field="holder",
        )


def do_request_proxy(
    *,
    actor,
    meeting: Meeting,
    grantor: Member,
    holder: Member,
    document: UploadedFile | None = None,
    approve: bool = False,
    now: datetime | None = None,
) -> Proxy:
    """The grantor's representative (with the signed authorisation) or the secretariat
    registers a proxy; the secretariat may approve it at once (``approve``)."""
    association = meeting.association
    is_admin = access.can_administer(actor, association)
    if not is_admin and not access.can_submit_for(actor, association, grantor):
        raise PermissionDenied(
            _("Only the member's representative or the secretariat may do this.")
        )
    if approve and not is_admin:
        raise PermissionDenied(_("Only the secretariat may approve a proxy."))
    kind = check_upload(document, field="document") if document is not None else None
    now = now or timezone.now()
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # one at a time
        _check(meeting, grantor, holder)
        if approve:
            _require_present(meeting, holder)
        proxy = Proxy(
            meeting=meeting,
            grantor=grantor,
            holder=holder,
            requested_at=now,
            requested_by=actor,
            status=Proxy.Status.APPROVED if approve else Proxy.Status.PENDING,
            decided_at=now if approve else None,
            decided_by=actor if approve else None,
            original_name="",
            extension="",
            content_type="",
            size=0,
        )
        try:
            with transaction.atomic():
                if kind is not None:
                    proxy.store(document, kind)
                else:
                    proxy.save()
        except IntegrityError as exc:
            raise Conflict(
                _("%(member)s has given a proxy already.") % {"member": grantor}
            ) from exc
        record(
            "proxy.requested",
            actor=actor,
            association=association,
            obj=proxy,
            meeting=meeting.pk,
            grantor=grantor.code,
            holder=holder.code,
            approved=approve,
            document=proxy.original_name,
        )
        attendance_changed(meeting.pk)
    return proxy


def do_decide_proxy(
    *, actor, proxy: Proxy, approve: bool, reason: str = "", now: datetime | None = None
) -> Proxy:
    """The secretariat approves or refuses a pending proxy (a refusal says why)."""
    meeting = proxy.meeting
    access.require_administer(actor, meeting.association)
    reason = (reason or "").strip()
    if problem := safetext.problem(reason):
        raise ValidationFailed(problem, field="reason")
    if not approve and not reason:
        raise ValidationFailed(_("Say why the proxy is refused."), field="reason")
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        proxy = Proxy.objects.select_related("grantor", "holder", "meeting").get(pk=proxy.pk)
        if proxy.status != Proxy.Status.PENDING:
            raise Conflict(
                _("This proxy is %(status)s already.") % {"status": proxy.get_status_display()}
            )
        if approve:
            _check(meeting, proxy.grantor, proxy.holder, exclude=proxy.pk)
            _require_present(meeting, proxy.holder)
        proxy.status = Proxy.Status.APPROVED if approve else Proxy.Status.REFUSED
        proxy.decided_at = now or timezone.now()
        proxy.decided_by = actor
        proxy.reason = reason[:500]
        proxy.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        record(
            "proxy.approved" if approve else "proxy.refused",
            actor=actor,
            association=meeting.association,
            obj=proxy,
            grantor=proxy.grantor.code,
            holder=proxy.holder.code,
            reason=proxy.reason,
        )
        attendance_changed(meeting.pk)
    return proxy


def do_revoke_proxy(*, actor, proxy: Proxy, reason: str = "", now: datetime | None = None) -> Proxy:
    """Either side (or the secretariat) withdraws a proxy, unless an open poll carries it
    in its frozen register: then it stands until that poll closes."""
    meeting = proxy.meeting
    association = meeting.association
    if not (
        access.can_administer(actor, association)
        or access.can_submit_for(actor, association, proxy.grantor)
        or access.can_submit_for(actor, association, proxy.holder)
    ):
        raise PermissionDenied(
            _("Only either member's representative or the secretariat may do this.")
        )
    if problem := safetext.problem(reason or ""):
        raise ValidationFailed(problem, field="reason")
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        proxy = Proxy.objects.select_related("grantor", "holder").get(pk=proxy.pk)
        if proxy.status not in Proxy.ACTIVE:
            raise Conflict(
                _("This proxy is %(status)s already.") % {"status": proxy.get_status_display()}
            )
        frozen = (
            RegisterEntry.objects.filter(
                poll__meeting=meeting,
                poll__status=Poll.Status.OPEN,
                member=proxy.grantor,
                represented_by=proxy.holder,
            )
            .select_related("poll")
            .first()
        )
        if frozen is not None:
            raise Conflict(
                _(
                    "The poll “%(poll)s” was opened with this proxy: it cannot be revoked "
                    "until that poll closes."
                )
                % {"poll": frozen.poll.title}
            )
        proxy.status = Proxy.Status.REVOKED
        proxy.decided_at = now or timezone.now()
        proxy.decided_by = actor
        proxy.reason = (reason or "").strip()[:500]
        proxy.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        record(
            "proxy.revoked",
            actor=actor,
            association=association,
            obj=proxy,
            grantor=proxy.grantor.code,
            holder=proxy.holder.code,
            reason=proxy.reason,
        )
        attendance_changed(meeting.pk)
    return proxy
