"""Workflows for associations: members register, weights, networks, roles."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from besluit import access
from besluit.associations.models import (
    Association,
    Member,
    Network,
    PopulationFigure,
    Role,
    WeightRule,
)
from besluit.audit.services import record
from besluit.core import register_csv
from besluit.core import weights as core_weights
from besluit.core.messages import translated
from besluit.errors import ValidationFailed
from besluit.formats import day, number


def do_create_association(*, actor, name: str, slug: str, short_name: str = "") -> Association:
    with transaction.atomic():
        if Association.objects.filter(slug=slug).exists():
            raise ValidationFailed(
                gettext("An association with slug '%(slug)s' exists.") % {"slug": slug},
                field="slug",
            )
        association = Association.objects.create(name=name, slug=slug, short_name=short_name)
        record("association.created", actor=actor, association=association, obj=association)
    return association


def do_update_settings(
    *, actor, association: Association, language: str, publish_decisions: bool
) -> Association:
    """The association's own settings: the language of its pages, and whether the decision
    lists and results of its meetings are public pages (under /open/)."""
    access.require_administer(actor, association)
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(
            gettext("Unknown language '%(language)s'.") % {"language": language}, field="language"
        )
    with transaction.atomic():
        association.language = language
        association.publish_decisions = publish_decisions
        association.save(update_fields=["language", "publish_decisions"])
        record(
            "association.settings_changed",
            actor=actor,
            association=association,
            obj=association,
            language=language,
            publish_decisions=publish_decisions,
        )
    return association


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(
        default_factory=list
    )  # "GM0014 Groningen: inwoners 230000 -> 244829"
    unchanged: int = 0

    @property
    def summary(self) -> str:
        return gettext("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
        }


def problem_text(problem: register_csv.ImportProblem) -> str:
    """A problem of the register file in the reader's language, with where it is."""
    values = {"line": problem.line, "field": problem.field}
    values["problem"] = problem.text.translate(gettext)
    if problem.line is not None and problem.field is not None:
        return gettext("line %(line)s, field '%(field)s': %(problem)s") % values
    if problem.line is not None:
        return gettext("line %(line)s: %(problem)s") % values
    if problem.field is not None:
        return gettext("field '%(field)s': %(problem)s") % values
    return values["problem"]


def _not_imported(problems: list[str]) -> ValidationFailed:
    return ValidationFailed(
        ngettext(
            "The file was not imported (%(count)s problem): %(problems)s",
            "The file was not imported (%(count)s problems): %(problems)s",
            len(problems),
        )
        % {"count": len(problems), "problems": "; ".join(problems[:20])},
        problems=problems,
    )


def do_import_members(
    *,
    actor,
    association: Association,
    data: bytes,
    reference_date: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import or update members from a CSV register; all rows or none.

    Members are matched by code. A figure for a new reference date is added
    to the member's population history; one for an existing date is replaced.
    """
    default_date = reference_date or timezone.localdate()
    # The known codes let the parser report a new member without a province together
    # with every other problem, in one round.
    known = frozenset(association.members.values_list("code", flat=True))
    try:
        rows = register_csv.parse_register(
            data, default_reference_date=default_date, known_codes=known
        )
    except register_csv.RegisterImportError as exc:
        raise _not_imported([problem_text(p) for p in exc.problems]) from exc

    report = ImportReport()
    with transaction.atomic():
        existing = {
            m.code: m
            for m in association.members.prefetch_related("populations").select_for_update()
        }
        # Only when a member was removed since the parse above (a race): told the same way.
        missing_province = [r for r in rows if r.code not in existing and not r.province]
        if missing_province:
            raise _not_imported(
                [
                    problem_text(
                        register_csv.ImportProblem(
                            r.line,
                            "provincie",
                            register_csv.gettext_noop("new member %(code)s needs a province"),
                            {"code": r.code},
                        )
                    )
                    for r in missing_province
                ]
            )
        for index, row in enumerate(rows, start=1):
            figure_date = row.reference_date or default_date
            member = existing.get(row.code)
            if member is None:
                member = Member.objects.create(
                    association=association, code=row.code, name=row.name, province=row.province
                )
                PopulationFigure.objects.create(
                    member=member, reference_date=figure_date, inhabitants=row.inhabitants
                )
                report.created.append(f"{row.code} {row.name}")
            else:
                changes = _update_member(member, row, figure_date)
                if changes:
                    report.updated.append(f"{row.code} {row.name}: " + ", ".join(changes))
                else:
                    report.unchanged += 1
            if progress and (index % 50 == 0 or index == len(rows)):
                progress(index, len(rows))
        record(
            "members.imported",
            actor=actor,
            association=association,
            created=len(report.created),
            updated=len(report.updated),
            unchanged=report.unchanged,
        )
    return report


def _update_member(member: Member, row: register_csv.MemberRow, figure_date: date) -> list[str]:
    changes = []
    if row.name != member.name:
        changes.append(
            gettext("name %(before)s → %(after)s")
            % {"before": repr(member.name), "after": repr(row.name)}
        )
        member.name = row.name
    if row.province and row.province != member.province:
        changes.append(
            gettext("province %(before)s → %(after)s")
            % {"before": member.province, "after": row.province}
        )
        member.province = row.province
    if changes:
        member.save(update_fields=["name", "province"])
    figures = {f.reference_date: f for f in member.populations.all()}
    figure = figures.get(figure_date)
    if figure is None:
        latest = max(figures.values(), key=lambda f: f.reference_date, default=None)
        PopulationFigure.objects.create(
            member=member, reference_date=figure_date, inhabitants=row.inhabitants
        )
        before = number(latest.inhabitants) if latest else "–"
        if latest is None or latest.inhabitants != row.inhabitants:
            changes.append(
                gettext("inhabitants %(before)s → %(after)s (reference date %(date)s)")
                % {"before": before, "after": number(row.inhabitants), "date": day(figure_date)}
            )
        else:
            changes.append(gettext("reference date %(date)s") % {"date": day(figure_date)})
    elif figure.inhabitants != row.inhabitants:
        changes.append(
            gettext("inhabitants %(before)s → %(after)s")
            % {"before": number(figure.inhabitants), "after": number(row.inhabitants)}
        )
        figure.inhabitants = row.inhabitants
        figure.save(update_fields=["inhabitants"])
    return changes


def do_set_weight_rule(
    *,
    actor,
    association: Association,
    valid_from: date,
    kind: str,
    brackets: Sequence[core_weights.Bracket] = (),
    per_inhabitants: Decimal = Decimal(1),
    decimals: int = 2,
    label: str = "",
    is_example: bool = False,
) -> WeightRule:
    """Add (or replace, for the same date) the weight rule in force from ``valid_from``."""
    core_rule = core_weights.WeightRule(
        kind=core_weights.RuleKind(kind),
        brackets=tuple(brackets),
        per_inhabitants=per_inhabitants,
        decimals=decimals,
    )
    try:
        core_weights.validate_rule(core_rule)
    except core_weights.WeightRuleError as exc:
        problems = translated(exc.messages, gettext)
        raise ValidationFailed("; ".join(problems), problems=problems) from exc
    with transaction.atomic():
        rule, created = WeightRule.objects.update_or_create(
            association=association,
            valid_from=valid_from,
            defaults={
                "kind": kind,
                "brackets": [[b.min_inhabitants, str(b.votes)] for b in brackets],
                "per_inhabitants": per_inhabitants,
                "decimals": decimals,
                "label": label,
                "is_example": is_example,
            },
        )
        record(
            "weight_rule.created" if created else "weight_rule.replaced",
            actor=actor,
            association=association,
            obj=rule,
            valid_from=valid_from.isoformat(),
            kind=kind,
        )
    return rule


def do_override_weight(
    *, actor, member: Member, weight: Decimal | None, reason: str = ""
) -> Member:
    """Set or clear a member's weight override; an override always carries its reason."""
    if weight is not None:
        if weight < 0:
            raise ValidationFailed(gettext("A weight cannot be negative."), field="weight")
        if not reason.strip():
            raise ValidationFailed(gettext("An override needs a reason."), field="reason")
    with transaction.atomic():
        before = member.weight_override
        member.weight_override = weight
        member.override_reason = reason.strip() if weight is not None else ""
        member.save(update_fields=["weight_override", "override_reason"])
        record(
            "member.weight_overridden",
            actor=actor,
            association=member.association,
            obj=member,
            before=str(before) if before is not None else None,
            after=str(weight) if weight is not None else None,
            reason=reason,
        )
    return member


def do_set_networks(*, actor, member: Member, codes: Sequence[str]) -> Member:
    with transaction.atomic():
        networks = []
        for code in sorted({c.strip() for c in codes if c.strip()}):
            network, _ = Network.objects.get_or_create(association=member.association, code=code)
            networks.append(network)
        member.networks.set(networks)
        record(
            "member.networks_set",
            actor=actor,
            association=member.association,
            obj=member,
            networks=[n.code for n in networks],
        )
    return member


def do_assign_role(
    *,
    actor,
    user,
    association: Association,
    kind: str,
    member: Member | None = None,
    function: str = "",
) -> Role:
    if kind == Role.Kind.REPRESENTATIVE:
        if member is None:
            raise ValidationFailed(gettext("A representative acts for a member."), field="member")
        if member.association_id != association.pk:
            raise ValidationFailed(
                gettext("That member belongs to another association."), field="member"
            )
    elif member is not None:
        raise ValidationFailed(gettext("Only representatives act for a member."), field="member")
    if getattr(user, "code_meeting_id", None) is not None:
        # Its one role comes with the code (accounts.codes); nobody adds to it.
        raise ValidationFailed(gettext("A voting code's account gets no other role."), field="user")
    with transaction.atomic():
        role, _ = Role.objects.update_or_create(
            user=user,
            association=association,
            kind=kind,
            defaults={"member": member, "function": function},
        )
        record(
            "role.assigned",
            actor=actor,
            association=association,
            obj=role,
            user=user.username,
            kind=kind,
            member=member.code if member else None,
        )
    return role


def do_set_network(
    *, actor, association: Association, code: str, name: str, members: Sequence[Member]
) -> Network:
    """Create or rename a network and make ``members`` exactly its members."""
    code = code.strip()
    if not code or len(code) > 20:
        raise ValidationFailed(gettext("A network's code has 1 to 20 characters."), field="code")
    if any(m.association_id != association.pk for m in members):
        raise ValidationFailed(
            gettext("That member belongs to another association."), field="members"
        )
    with transaction.atomic():
        network, created = Network.objects.get_or_create(association=association, code=code)
        if name and network.name != name:
            network.name = name[:200]
            network.save(update_fields=["name"])
        network.members.set(members)
        record(
            "network.created" if created else "network.set",
            actor=actor,
            association=association,
            obj=network,
            code=code,
            members=sorted(m.code for m in members),
        )
    return network


def do_remove_role(*, actor, role: Role) -> None:
    """Take a role away (the person stays; a voting code's role goes with its code)."""
    if getattr(role.user, "code_meeting_id", None) is not None:
        raise ValidationFailed(gettext("A voting code's role goes with its code."), field="role")
    with transaction.atomic():
        record(
            "role.removed",
            actor=actor,
            association=role.association,
            obj=role,
            user=role.user.username,
            kind=role.kind,
            member=role.member.code if role.member else None,
        )
        role.delete()
