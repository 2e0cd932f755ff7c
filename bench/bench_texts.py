"""Benchmarks of structured texts: redline, rebase, meeting book.

    .venv/bin/python bench/bench_texts.py [--quick]

- redline of two 60-page versions (word level, moves included), and the same as HTML;
- rebase of 300 amendments onto a new version of that text;
- the meeting book of 200 pages as tagged PDF/UA (cover, letter, contents, agenda, line-numbered
  texts, amendments and motions), made by the same code the background job runs, and the same
  book untagged as the baseline.

The data is generated (deterministic seed), no database is involved. Targets (from the issue):
redline under 200 ms, rebase under 1 s, meeting book under 30 s. Prints a Markdown table.
"""

from __future__ import annotations

import io
import os
import platform
import random
import secrets
import statistics
import sys
import time
from dataclasses import replace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")
os.environ.setdefault("BESLUIT_DATA_DIR", "/tmp/besluit-bench-texts")
# No server and no sessions here: a throwaway key (the settings refuse to start without one).
os.environ.setdefault("BESLUIT_SECRET_KEY", secrets.token_urlsafe(50))

import django

django.setup()

from besluit.core import passages as cp  # noqa: E402
from besluit.core import redline as cr  # noqa: E402
from besluit.core import texts as ct  # noqa: E402
from besluit.texts import pdf, rendering  # noqa: E402

_VOCABULARY = (
    "de het een gemeente gemeenten vereniging leden bestuur kabinet Rijk provincies middelen "
    "gemeentefonds zorg jeugdzorg Wmo wonen woningen energie klimaat netbeheerders opvang "
    "asielzoekers statushouders inwoners ondernemers onderwijs scholen sport cultuur armoede "
    "schulden bestaanszekerheid uitvoering uitvoeringskracht taken bevoegdheden evenwicht "
    "structureel tijdelijk meerjarig afspraken voorstel resolutie motie amendement besluit "
    "vraagt vragen wil willen moet moeten kan kunnen zal zullen wordt worden is zijn heeft "
    "hebben met voor door over onder tussen tegen zonder binnen buiten na om te en of maar "
    "omdat zodat terwijl wanneer waar wat wie welke dit dat deze die ook nog al niet wel meer "
    "minder veel weinig nieuw nieuwe groot grote klein kleine regionaal landelijk lokaal 2026 "
    "2027 100.000 675 miljoen euro procent regie ruimte stikstof stroomnet procedures"
)
WORDS = _VOCABULARY.split()

LINES_PER_PAGE = 48  # numbered lines on an A4 page of the meeting book (9.6 pt text)


def paragraph(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    # a little punctuation, as real text has
    for _ in range(n // 12):
        i = rng.randrange(1, len(words) - 1)
        words[i] += ","
    return " ".join(words) + "."


def document(pages: int, seed: int = 1) -> ct.Document:
    rng = random.Random(seed)
    blocks = []
    lines = 0
    section = 0
    target = pages * LINES_PER_PAGE
    while lines < target:
        if section == 0 or rng.random() < 0.08:
            section += 1
            b = ct.Block(f"h{len(blocks)}", ct.Kind.HEADING, f"Hoofdstuk {section}", 2)
        elif rng.random() < 0.15:
            b = ct.Block(f"l{len(blocks)}", ct.Kind.NUMBERED, paragraph(rng, rng.randint(8, 30)))
        else:
            b = ct.Block(f"p{len(blocks)}", ct.Kind.PARAGRAPH, paragraph(rng, rng.randint(30, 110)))
        blocks.append(b)
        lines += len(ct.wrap(b.text, ct.DEFAULT_LINE_WIDTH - ct.indent_of(b)))
    return ct.Document(tuple(blocks))


def revise(doc: ct.Document, seed: int = 2) -> ct.Document:
    """A revised version: 10% of paragraphs edited in a few places, 10 added, 10 removed,
    5 moved."""
    rng = random.Random(seed)
    blocks = list(doc.blocks)
    for i, b in enumerate(blocks):
        if b.kind != ct.Kind.HEADING and rng.random() < 0.10:
            words = b.text.split(" ")
            for _ in range(rng.randint(1, 3)):
                a = rng.randrange(len(words))
                words[a : a + rng.randint(0, 3)] = [
                    rng.choice(WORDS) for _ in range(rng.randint(1, 4))
                ]
            blocks[i] = replace(b, text=" ".join(words))
    for _ in range(10):
        blocks.pop(rng.randrange(1, len(blocks)))
    for k in range(10):
        blocks.insert(
            rng.randrange(len(blocks)), ct.Block(f"n{k}", ct.Kind.PARAGRAPH, paragraph(rng, 40))
        )
    for _ in range(5):
        blocks.insert(rng.randrange(len(blocks)), blocks.pop(rng.randrange(len(blocks))))
    return ct.Document(tuple(blocks))


def amendments(doc: ct.Document, n: int, seed: int = 3) -> list[cp.Change]:
    rng = random.Random(seed)
    paras = [b for b in doc.blocks if b.kind != ct.Kind.HEADING]
    out = []
    for k in range(n):
        b = rng.choice(paras)
        words = b.text.split(" ")
        i = rng.randrange(len(words))
        j = min(len(words), i + rng.randint(1, 8))
        old = " ".join(words[i:j])
        start = len(" ".join(words[:i])) + (1 if i else 0)
        out.append(
            cp.Change(str(k + 1), cp.Passage(b.id, start, start + len(old)), old, old + " extra")
        )
    return out


def timed(fn, repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def book(pages: int) -> pdf.BookData:
    """A meeting book of about ``pages`` pages: 10 agenda items, four of them with long
    proposals, 40 amendments and 20 motions."""
    rng = random.Random(4)
    text_pages = int(pages * 0.8)
    items = []
    for n in range(1, 11):
        item = pdf.ItemData(
            f"{n:02d}",
            f"Agendapunt {n}",
            paragraph(rng, 30),
            "\n\n".join(paragraph(rng, 60) for _ in range(3)),
            [f"Bijlage {n}a", f"Bijlage {n}b"],
        )
        if n in (4, 5, 6, 7):
            doc = document(text_pages // 4, seed=n)
            item.proposal_title = f"Resolutie {n}"
            item.text = pdf.NumberedText(doc, ct.DEFAULT_LINE_WIDTH, "Definitieve tekst (versie 3)")
            item.amendments = [
                pdf.AmendmentData(
                    k,
                    f"Amendement Gemeente {k} c.s.",
                    "Gemeente A, Gemeente B",
                    f"{10 * k}-{10 * k + 3}",
                    "Hoofdstuk 1",
                    paragraph(rng, 20),
                    paragraph(rng, 25),
                    paragraph(rng, 50),
                    "oordeel vergadering",
                    paragraph(rng, 30),
                    "ingediend",
                )
                for k in range(1, 11)
            ]
            item.motions = [
                pdf.MotionData(
                    k,
                    f"Motie {k}",
                    f"Motie Gemeente {k} c.s.",
                    "Gemeente C",
                    paragraph(rng, 50),
                    paragraph(rng, 40),
                    "",
                    "ontraden",
                    paragraph(rng, 30),
                    "ingediend",
                )
                for k in range(1, 6)
            ]
        items.append(item)
    return pdf.BookData(
        pdf.Branding(
            "Vereniging van Voorbeeldgemeenten",
            "VVVG",
            None,
            "Postbus 1234\n2500 AA Den Haag",
            "Het bestuur",
        ),
        "Najaars-ALV 2026",
        "donderdag 10 december 2026, 10:00",
        "Jaarbeurs, Utrecht",
        "12 november 2026",
        ["Geachte leden,", paragraph(rng, 80), paragraph(rng, 60)],
        items,
    )


def main() -> None:
    quick = "--quick" in sys.argv
    rows = []
    old = document(60)
    new = revise(old)
    lines = len(ct.number_lines(old))
    t, rl = timed(lambda: cr.redline(old, new), 3 if quick else 9)
    s = rl.stats()
    rows.append(
        (
            "redline, two 60-page versions",
            f"{lines:,} lines, {old.word_count():,} words; "
            f"{s['changed']} changed, {s['inserted']} added, {s['deleted']} removed, "
            f"{s['moved']} moved",
            t,
            0.200,
        )
    )
    t, _ = timed(lambda: rendering.diff_views(old, new, 80, 80), 3)
    rows.append(("redline as HTML (the compare page's work)", "same versions", t, None))
    anonymous = ct.Document(tuple(replace(b, id=f"x{i}") for i, b in enumerate(new.blocks)))
    t, _ = timed(lambda: cr.carry_ids(old, anonymous), 3)
    rows.append(("block identity of a re-imported 60-page text", "carry_ids", t, None))

    changes = amendments(old, 300)
    t, results = timed(lambda: cp.rebase_all(changes, old, new), 3 if quick else 9)
    counts = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    rows.append(
        (
            "rebase of 300 amendments",
            ", ".join(f"{v} {k}" for k, v in sorted(counts.items())),
            t,
            1.0,
        )
    )

    # The meeting book as tagged PDF/UA-1 (WeasyPrint), then the same without tags as the
    # baseline of the same run. Time is CPU time of this process (the machine is shared, so
    # wall time is shown beside it); memory is the peak resident size after the tagged book.
    import resource

    from django.template.loader import render_to_string
    from django.utils import translation

    translation.activate("nl")
    data = book(220)
    out = io.BytesIO()
    w0, c0 = time.perf_counter(), time.process_time()
    pages = pdf.meeting_book(data, out)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(
        (
            f"meeting book PDF/UA (wall {wall:.1f} s; peak memory {peak_mb:.0f} MB, target 1,024)",
            f"{pages} pages, {len(out.getvalue()) / 1e6:.1f} MB",
            cpu,
            30.0,
        )
    )
    if peak_mb > 1024:
        rows.append(("meeting book peak memory over 1 GB", f"{peak_mb:.0f} MB", 1e9, 1.0))
    if not quick:
        from weasyprint import HTML

        items = [{"item": i, "text": pdf.text_context(i.text)} for i in data.items]
        html = render_to_string(
            "texts/pdf/meeting_book.html",
            {"data": data, "b": data.branding, "items": items, "running": "", "cover_lines": []},
        )
        c0 = time.process_time()
        HTML(string=html).write_pdf(io.BytesIO())
        base = time.process_time() - c0
        rows.append(
            (
                f"baseline: the same book untagged (tagged/untagged = {cpu / base:.2f})",
                f"{pages} pages",
                base,
                None,
            )
        )

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print()
    print("| what | size | time | target |")
    print("|---|---|---|---|")
    failed = False
    for what, size, seconds, target in rows:
        shown = f"{seconds * 1000:.0f} ms" if seconds < 2 else f"{seconds:.1f} s"
        goal = (
            ""
            if target is None
            else (
                (f"< {target * 1000:.0f} ms" if target < 2 else f"< {target:.0f} s")
                + (" ✓" if seconds < target else " ✗")
            )
        )
        failed |= target is not None and seconds >= target
        print(f"| {what} | {size} | {shown} | {goal} |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
