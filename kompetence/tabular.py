"""Reading the tables HR systems export: CSV in the encodings Danish exports really
come in (UTF-8, UTF-8 with BOM, Windows-1252; `;`, `,` or tab separated) and XLSX.

A file becomes a `Table`: rows of text values keyed by our column keys, each with the
line it came from (the header is line 1, as in a spreadsheet). Every problem is a
`Problem` naming the line and the column, in Danish, so HR can fix the file in the
program it came from.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
DELIMITERS = (";", ",", "\t")
MAX_ROWS = 250_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where it is (line/column may be unknown)."""

    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.line and self.column:
            where = _("Linje %(line)s, kolonne »%(column)s«") % {
                "line": self.line,
                "column": self.column,
            }
        elif self.line:
            where = _("Linje %(line)s") % {"line": self.line}
        elif self.column:
            where = _("Kolonne »%(column)s«") % {"column": self.column}
        else:
            return self.message
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"message": self.message, "line": self.line, "column": self.column}

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(message=data["message"], line=data.get("line"), column=data.get("column"))


class TableError(Exception):
    """The file cannot be read as a table at all, or its header is wrong."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Column:
    """A column we read: `key` in code, `name` as we write it in files and messages,
    and the other names an export may use for it."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    help: StrOrPromise = ""  # a lazy translation, for the documentation page

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.name, *self.aliases)}


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Table:
    columns: list[Column]  # the columns found in the file, in file order
    rows: list[Row] = field(default_factory=list)
    # Mistakes that still let the rows be checked (an unknown column).
    problems: list[Problem] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return any(column.key == key for column in self.columns)

    def name_of(self, key: str) -> str:
        return next(column.name for column in self.columns if column.key == key)


def normalise_header(text: str) -> str:
    """`Enheds-ID`, `enheds id` and ` enheds_id ` are the same column."""
    return re.sub(r"[\s\-_.]+", "_", text.strip().lower()).strip("_")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what Danish exports come in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise TableError(
            [Problem(_("Filen er hverken UTF-8 eller Windows-1252. Gem den som CSV (UTF-8)."))]
        ) from error


def _delimiter(first_line: str) -> str:
    return max(DELIMITERS, key=first_line.count)


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [value.strip() for value in record]
    except csv.Error as error:
        raise TableError(
            [Problem(_("Filen kan ikke læses som CSV: %(error)s") % {"error": error})]
        ) from error


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # employee numbers typed as numbers: 1234.0 is "1234"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value).strip()


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TableError(
            [Problem(_("Filen kan ikke åbnes som et Excel-regneark (XLSX)."))]
        ) from error
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, values) of every record in a CSV or XLSX file, recognised by its content."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx_records(data)
    if data.startswith(OLE_MAGIC):
        raise TableError(
            [
                Problem(
                    _("Det gamle Excel-format (.xls) kan ikke læses. Gem filen som XLSX eller CSV.")
                )
            ]
        )
    if b"\x00" in data[:4096]:
        raise TableError([Problem(_("Filen er ikke en CSV- eller XLSX-fil."))])
    return _csv_records(data)


def read_table(data: bytes, columns: Iterable[Column]) -> Table:
    """The file as a Table. An unknown or doubled column, or a line with more fields
    than the header, is a problem in `Table.problems`, and the rows are still read, so
    one upload shows every mistake; a file that cannot be read, or lacks a required
    column, raises TableError."""
    columns = list(columns)
    by_name = {name: column for column in columns for name in column.names()}
    stream = records(data)
    header_line, header = next(((n, values) for n, values in stream if any(values)), (None, None))
    if header is None:
        raise TableError([Problem(_("Filen er tom."))])
    problems: list[Problem] = []
    found: list[Column | None] = []
    seen: set[str] = set()
    for text in header:
        column = by_name.get(normalise_header(text)) if text else None
        if not text:
            found.append(None)
        elif column is None:
            problems.append(
                Problem(
                    _("Ukendt kolonne. Kolonnerne hedder: %(names)s.")
                    % {"names": ", ".join(c.name for c in columns)},
                    line=header_line,
                    column=text,
                )
            )
            found.append(None)
        elif column.key in seen:
            problems.append(Problem(_("Kolonnen står der to gange."), header_line, text))
            found.append(None)
        else:
            seen.add(column.key)
            found.append(column)
    missing = [
        Problem(_("Kolonnen mangler i filens første linje."), header_line, column.name)
        for column in columns
        if column.required and column.key not in seen
    ]
    if missing:
        raise TableError(problems + missing)

    table = Table(columns=[c for c in found if c is not None], problems=problems)
    for number, values in stream:
        if not any(values):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise TableError(
                [Problem(_("Filen har mere end %(max)s linjer.") % {"max": MAX_ROWS}, number)]
            )
        extra = [v for v in values[len(found) :] if v]
        if extra:
            problems.append(Problem(_("Linjen har flere felter end overskriften."), number))
        table.rows.append(
            Row(
                line=number,
                values={
                    column.key: value
                    for column, value in zip(found, values, strict=False)
                    if column is not None
                },
            )
        )
    return table


# --- Values ---------------------------------------------------------------------------

TRUE_WORDS = {"ja", "j", "x", "1", "true", "sand", "yes", "y"}
FALSE_WORDS = {"nej", "n", "0", "false", "falsk", "no", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%y", "%d.%m.%y")


class ValueProblem(ValueError):
    """A value that cannot be read; the message is Danish and names what is expected."""


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueProblem(_("Skriv ja eller nej, ikke »%(value)s«.") % {"value": text})


def parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    if not text:
        return None
    if "T" in text:  # a spreadsheet date with a time part
        text = text.split("T", 1)[0]
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueProblem(
        _("»%(value)s« er ikke en dato. Skriv den som 31-12-2026 eller 2026-12-31.")
        % {"value": text}
    )


def write_csv(header: list[str], rows: Iterable[list]) -> bytes:
    """A CSV Danish Excel opens correctly: UTF-8 with BOM, `;` separated."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def xlsx_text(sheet, value: str):
    """A text value for a write-only sheet that stays text: openpyxl would store a
    value starting with "=" (a name like "=HYPERLINK(…)") as a formula, and refuses
    control characters."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def write_xlsx(sheet_title: str, header: list[str], rows: Iterable[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([xlsx_text(sheet, v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Used by the documentation pages: a lazy "required"/"optional" label per column.
REQUIRED_LABEL = gettext_lazy("skal udfyldes")
OPTIONAL_LABEL = gettext_lazy("kan udelades")
