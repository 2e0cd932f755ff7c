"""besluit weights analyse --association SLUG [--quota simple|two_thirds] [--rule LIST]
[--brackets-file FILE] [--by member|size|network|province] [--csv OUT.csv] [--date YYYY-MM-DD]

Voting power (Banzhaf, Shapley-Shubik) of the members under the current weight rule and
alternatives, as on the page /<slug>/gewichten/analyse/. Nothing is saved.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import timezone

from besluit.analysis.power import (
    BY_CHOICES,
    GROUPINGS,
    Analysis,
    RuleAnalysis,
    analyse,
    rules_for,
    write_csv,
)
from besluit.associations.models import Association
from besluit.core import weights as core_weights
from besluit.core.power_analysis import RULE_KEYS
from besluit.errors import ValidationFailed

DEFAULT_RULES = "current,proportional,sqrt,equal"


def _pct(value: Fraction | None, places: int = 2) -> str:
    return "-" if value is None else f"{float(value) * 100:.{places}f}%"


def _ratio(value: Fraction | None) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _weight(value: Decimal, grouping: bool = False) -> str:
    if not value:
        return "0"
    value = value.normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return format(value, ",f" if grouping else "f")


def _table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Fixed-width columns: the first ``left`` columns left-aligned, the rest right."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i < left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


class Command(BaseCommand):
    help = "Voting power of an association's members under its weight rule and alternatives."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        a = sub.add_parser(
            "analyse",
            help="Compare the current weight rule with alternatives (nothing is saved).",
        )
        a.add_argument("--association", required=True, help="the association's slug")
        a.add_argument(
            "--quota",
            choices=["simple", "two_thirds"],
            default="simple",
            help="majority: more than half (default) or at least two thirds of the total weight",
        )
        a.add_argument(
            "--rule",
            default=DEFAULT_RULES,
            help=f"comma-separated, from {','.join(RULE_KEYS)} (default: {DEFAULT_RULES}); "
            "'brackets' is the example table unless --brackets-file is given",
        )
        a.add_argument(
            "--brackets-file",
            type=Path,
            help="a draft bracket table, one 'from_inhabitants: votes' per line (adds 'brackets')",
        )
        a.add_argument(
            "--by",
            choices=BY_CHOICES,
            default="size",
            help="the table printed and written: per member or per group (default: size)",
        )
        a.add_argument("--csv", help="also write the table as CSV to this file ('-': stdout)")
        a.add_argument(
            "--date",
            type=date.fromisoformat,
            help="the register on this date, YYYY-MM-DD (default: today)",
        )

    @no_translations  # English, like the other commands' output (and stable for scripts)
    def handle(self, *args, action, **options):
        slug = options["association"]
        try:
            association = Association.objects.get(slug=slug)
        except Association.DoesNotExist:
            raise CommandError(f"--association: no association with slug '{slug}'.") from None

        keys = [k.strip() for k in options["rule"].split(",") if k.strip()]
        unknown = [k for k in keys if k not in RULE_KEYS]
        if unknown or not keys:
            raise CommandError(
                f"--rule: unknown rule '{unknown[0] if unknown else ''}' "
                f"(choose from {', '.join(RULE_KEYS)})."
            )
        labels = {}
        draft = None
        if options["brackets_file"] is not None:
            draft, labels["brackets"] = self.read_brackets(options["brackets_file"])
            if "brackets" not in keys:
                keys.append("brackets")
        rules = rules_for(dict.fromkeys(keys))
        if draft is not None:
            rules["brackets"] = core_weights.WeightRule(
                core_weights.RuleKind.BRACKETS, brackets=draft
            )

        on = options["date"] or timezone.localdate()
        try:
            analysis = analyse(
                association, rules=rules, on=on, quota=options["quota"], labels=labels
            )
        except ValidationFailed as exc:
            raise CommandError(f"{slug}: {exc.message}") from None

        # With --csv - the CSV is the output and the readable table goes to stderr.
        out = self.stderr if options["csv"] == "-" else self.stdout
        self.print_analysis(analysis, options["by"], out)
        if options["csv"]:
            self.write(analysis, options["by"], options["csv"])

    def read_brackets(self, path: Path) -> tuple[tuple[core_weights.Bracket, ...], str]:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror}).") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not a UTF-8 text file.") from None
        try:
            brackets = core_weights.parse_brackets(text)
        except core_weights.WeightRuleError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path}: not a valid bracket table ({len(exc.problems)} problems)."
            ) from None
        return brackets, f"Bracket table from {path.name}"

    def write(self, analysis: Analysis, by: str, target: str) -> None:
        if target == "-":
            rows = write_csv(analysis, by, self.stdout)
            return
        path = Path(target)
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                rows = write_csv(analysis, by, out)
        except OSError as exc:
            raise CommandError(f"{path}: cannot write the file ({exc.strerror}).") from None
        self.stderr.write(f"{path}: {rows} rows written.")

    # --- the readable table --------------------------------------------------------

    def print_analysis(self, analysis: Analysis, by: str, out) -> None:
        quota = (
            "at least two thirds of the total weight"
            if analysis.quota == "two_thirds"
            else "more than half of the total weight"
        )
        out.write(
            f"Voting power in {analysis.association.name} on {analysis.on:%Y-%m-%d}: "
            f"{len(analysis.members)} members with a vote, {analysis.inhabitants:,} inhabitants; "
            f"majority: {quota}."
        )
        for rule in analysis.rules:
            out.write("")
            for line in self.rule_summary(rule, analysis):
                out.write(line)
            out.write("")
            for line in self.rule_table(rule, by):
                out.write("  " + line)
        if any(not r.exact for r in analysis.rules):
            out.write("")
            out.write(
                "Approximation: rules marked 'rounded' were computed on weights rounded to the "
                f"resolution shown, so that the total stays within {analysis.max_total:,} units "
                "(exact computations at that size take minutes or do not fit in memory). Weight "
                "shares are exact; power indices, dummies and coalitions are of the rounded "
                "weights."
            )

    def rule_summary(self, rule: RuleAnalysis, analysis: Analysis) -> list[str]:
        if rule.exact:
            computed = f"exactly ({rule.scaled_total:,} units, quota {rule.quota_units:,})"
        else:
            computed = (
                f"rounded: weights to multiples of {_weight(rule.resolution, grouping=True)} "
                f"({rule.game.exact_total:,} units exactly, {rule.scaled_total:,} rounded, "
                f"quota {rule.quota_units:,}; weight shares move by at most "
                f"{float(rule.game.max_share_error) * 100:.4f} percentage points)"
            )
        timing = "from the cache" if rule.from_cache else f"in {rule.compute_seconds:.2f} s"
        dummies = (
            f"{len(rule.dummies)}: "
            + ", ".join(m.name for m in rule.dummies[:8])
            + (f" and {len(rule.dummies) - 8} more" if len(rule.dummies) > 8 else "")
            if rule.dummies
            else "none"
        )
        c = rule.smallest_winning_coalition
        coalition = (
            f"{len(c.members)} members, {_pct(c.weight_share)} of the weight, "
            f"{c.inhabitants:,} inhabitants ({_pct(c.population_share)})"
            if c
            else "no coalition can win"
        )
        total = _weight(rule.total_weight, grouping=True)
        return [
            f"== {rule.label}: {rule.description}",
            f"   total weight {total}; computed {computed} {timing}",
            f"   dummies: {dummies}",
            f"   fewest members for a majority: {rule.minimum_winning_size or '-'}",
            f"   smallest winning coalition by weight: {coalition}",
        ]

    def rule_table(self, rule: RuleAnalysis, by: str) -> list[str]:
        measures = ["weight %", "Banzhaf %", "SS %", "Bz/inh", "SS/inh"]
        if by == "member":
            rows = [
                [
                    p.member.name,
                    p.member.province,
                    _int(p.member.inhabitants),
                    _pct(p.member.population_share, 3),
                    _weight(p.weight),
                    _pct(p.weight_share, 3),
                    _pct(p.banzhaf, 3),
                    _pct(p.shapley_shubik, 3),
                    _ratio(p.banzhaf_ratio),
                    _ratio(p.shapley_shubik_ratio),
                ]
                + (["dummy"] if p.dummy else [""])
                for p in sorted(rule.members, key=lambda p: (-p.banzhaf, p.member.name))
            ]
            header = ["member", "province", "inhabitants", "inhab %", "weight", *measures, ""]
            return _table(header, rows, left=2)
        rows = [
            [
                g.label,
                str(g.members),
                _int(g.inhabitants),
                _pct(g.population_share),
                _pct(g.weight_share),
                _pct(g.banzhaf),
                _pct(g.shapley_shubik),
                _ratio(g.banzhaf_ratio),
                _ratio(g.shapley_shubik_ratio),
            ]
            for g in rule.groups[by]
        ]
        header = [str(GROUPINGS[by]).lower(), "members", "inhabitants", "inhab %", *measures]
        return _table(header, rows)
