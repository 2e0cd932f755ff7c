"""besluit elections list --association SLUG | recount ID | record ID [-o FILE]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from besluit.core import votelog
from besluit.core.elections import record as core_record
from besluit.elections import publish, services
from besluit.elections.models import Election, Round
from besluit.errors import NotFound


class Command(BaseCommand):
    help = "Elections of persons: list them, recount a round from its ballots, write the record."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="The elections of an association.")
        ls.add_argument("--association", required=True, help="the association's slug")
        rc = sub.add_parser("recount", help="Count every closed round again from its ballots.")
        rc.add_argument("election", help="the election's id (UUID)")
        rec = sub.add_parser("record", help="Write the signed record of a decided election.")
        rec.add_argument("election", help="the election's id (UUID)")
        rec.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, action, **options):
        if action == "list":
            elections = Election.objects.filter(
                meeting__association__slug=options["association"]
            ).select_related("meeting", "body")
            for e in elections:
                self.stdout.write(f"{e.public_id}  {e.status:<10}  {e.meeting.title}: {e.title}")
            return
        try:
            election = services.get_election(options["election"])
        except NotFound:
            raise CommandError(f"election {options['election']}: no such election.") from None
        if action == "recount":
            self._recount(election)
        else:
            if election.status != Election.Status.DECIDED:
                raise CommandError(f"election {election.public_id}: not decided yet.")
            data = publish.bundle_bytes(election)
            if options["output"]:
                Path(options["output"]).write_bytes(data)
            else:
                sys.stdout.buffer.write(data)

    def _recount(self, election: Election) -> None:
        differ = 0
        for rnd in election.rounds.filter(status=Round.Status.CLOSED, unopposed=False):
            rnd.election = election
            again = core_record.result_json(services.count(rnd))
            same = votelog.canonical_json(again) == votelog.canonical_json(rnd.result)
            differ += not same
            elected = ", ".join(again.get("elected", [])) or "-"
            verdict = "same" if same else "DIFFERS"
            self.stdout.write(f"round {rnd.number}: {again['outcome']} ({elected}) {verdict}")
        if differ:
            raise CommandError(f"{differ} round(s) count differently from the stored result.")
