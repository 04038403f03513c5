"""Reading the tables HR systems export: CSV in the encodings Danish exports really
come in (UTF-8, UTF-8 with BOM, Windows-1252; `;`, `,` or tab separated) and XLSX.
And writing the tables we hand out: every CSV and XLSX the product makes.

A file becomes a `Table`: rows of text values keyed by our column keys, each with the
line it came from (the header is line 1, as in a spreadsheet). Every problem is a
`Problem` naming the line and the column, in Danish, so HR can fix the file in the
program it came from.

Files in are bounded before and while they are read (`check_file`, `records`): an
XLSX is a ZIP, so its unpacked size and compression ratio are checked from the ZIP's
directory before openpyxl parses a byte, and rows, columns and cell length are counted
as the records stream past. The limits are settings (`IMPORT_MAX_*`); a file over one is
refused with a `LimitError` naming the limit, before any row reaches an importer.

Files out are safe to open: a text cell a spreadsheet would read as a formula is
written as text (`csv_cell`, `xlsx_text`), and reading a CSV takes that guard off again
(`unguard`), so our own export imports back to the values it came from.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
DELIMITERS = (";", ",", "\t")
MEGABYTE = 1024 * 1024
# A ZIP member smaller than this unpacks to little whatever its ratio (a theme file of
# repeated XML is easily 50 times smaller packed); the ratio rule is for the big ones.
RATIO_FLOOR = MEGABYTE


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


class LimitError(TableError):
    """The file is over one of the limits (`IMPORT_MAX_*`): it is not read further."""


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    ratio: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * MEGABYTE,
            ratio=settings.IMPORT_MAX_UNPACK_RATIO,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


def _count(number: int) -> str:
    """40000000 as "40.000.000" (in Danish), whatever USE_THOUSAND_SEPARATOR says."""
    return number_format(number, force_grouping=True)


def _megabytes(size: int) -> str:
    return number_format(size / MEGABYTE, decimal_pos=0 if size >= 10 * MEGABYTE else 1)


def _limit(message: str, line: int | None = None) -> LimitError:
    return LimitError([Problem(message, line)])


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


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _bounded(number: int, values: list[str], limits: Limits) -> list[str]:
    """`values` of line `number`, the formula guard taken off and stripped, if they are
    within the limits; LimitError naming the line or cell if not."""
    if number > limits.rows + 1:  # the header is line 1
        raise _limit(_("Filen har mere end %(max)s linjer.") % {"max": _count(limits.rows)}, number)
    beyond = next((i for i, v in enumerate(values[limits.columns :]) if v), None)
    if beyond is not None:
        raise _limit(
            _("Linjen har en værdi i kolonne %(column)s; højst %(max)s kolonner er tilladt.")
            % {
                "column": _column_letter(limits.columns + beyond + 1),
                "max": _count(limits.columns),
            },
            number,
        )
    values = values[: limits.columns]
    if values and max(map(len, values)) > limits.cell_chars:
        index, value = next((i, v) for i, v in enumerate(values) if len(v) > limits.cell_chars)
        raise _limit(
            _("Celle %(cell)s har %(count)s tegn; højst %(max)s er tilladt.")
            % {
                "cell": f"{_column_letter(index + 1)}{number}",
                "count": _count(len(value)),
                "max": _count(limits.cell_chars),
            }
        )
    return [unguard(value).strip() for value in values]


def _csv_records(data: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    # The csv module refuses a field over its own limit (131.072 characters by default),
    # which bounds memory when reading a stream; this text is in memory already, so the
    # module may take any field of it, and a cell over our limit is named by `_bounded`.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        for number, record in enumerate(reader, start=1):
            yield number, _bounded(number, record, limits)
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


def _unreadable_xlsx() -> TableError:
    return TableError([Problem(_("Filen kan ikke åbnes som et Excel-regneark (XLSX)."))])


def check_xlsx(data: bytes | BinaryIO, limits: Limits | None = None) -> None:
    """LimitError if the XLSX (a ZIP) unpacks to more than the limit in all, or any big
    member unpacks more than `ratio` times its packed size (a zip bomb). Reads only the
    ZIP's directory. The sizes it declares are a real bound: Python's zipfile, which
    openpyxl reads through, stops each member at its declared size."""
    limits = limits or Limits.from_settings()
    try:
        members = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _unreadable_xlsx() from error
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_bytes:
        raise _limit(
            _("Filen fylder %(size)s MB udpakket; grænsen er %(max)s MB.")
            % {"size": _megabytes(unpacked), "max": _megabytes(limits.unpacked_bytes)}
        )
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > limits.ratio * max(
            member.compress_size, 1
        ):
            raise _limit(
                _(
                    "Filen pakkes ud til %(ratio)s gange sin størrelse; højst %(max)s gange "
                    "er tilladt. Gem den igen fra regnearket, eller send den som CSV."
                )
                % {
                    "ratio": _count(member.file_size // max(member.compress_size, 1)),
                    "max": _count(limits.ratio),
                }
            )


def _xlsx_records(data: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    check_xlsx(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _unreadable_xlsx() from error
    try:
        sheet = workbook.worksheets[0]
        # One column more than allowed, to see a value beyond the limit; one line more,
        # to see that there is one: openpyxl fills gaps with empty rows and cells, so a
        # lone cell at XFD1048576 would otherwise be 17 billion empty ones.
        rows = sheet.iter_rows(
            max_row=limits.rows + 2, max_col=limits.columns + 1, values_only=True
        )
        for number, values in enumerate(rows, start=1):
            yield number, _bounded(number, [_cell_text(value) for value in values], limits)
    finally:
        workbook.close()


def check_file(file: BinaryIO) -> None:
    """LimitError if what is known of the file before it is parsed is over a limit:
    for an XLSX, its unpacked size and ratio, from the ZIP's directory. Cheap enough for
    an upload form, so a file over the limits is refused before it is stored."""
    file.seek(0)
    try:
        if file.read(len(XLSX_MAGIC)) == XLSX_MAGIC:
            check_xlsx(file)
    finally:
        file.seek(0)


def records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, values) of every record in a CSV or XLSX file, recognised by its content,
    within the limits (LimitError, raised as the records are read, if not)."""
    limits = Limits.from_settings()
    if data.startswith(XLSX_MAGIC):
        return _xlsx_records(data, limits)
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
    return _csv_records(data, limits)


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


# --- Writing ----------------------------------------------------------------------------

# OWASP's CSV injection rule: a spreadsheet reads a cell starting with one of these as a
# formula (tab and carriage return are dropped by some and what follows is read). Such a
# text is written after a single quote, which makes it text; a text that already starts
# with quotes before one of them gets one quote more, so `unguard` is its exact inverse.
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
GUARD = "'"


def csv_cell(value):
    """`value` as a CSV cell no spreadsheet runs: "=HYPERLINK(…)" becomes "'=HYPERLINK(…)".
    Numbers stay numbers (a negative amount is a number, not a formula)."""
    if value is None:
        return ""
    if isinstance(value, str) and FORMULA_START.match(value):
        return GUARD + value
    return value


def unguard(text: str) -> str:
    """The value `csv_cell` guarded: the one quote it put before a formula character
    is taken off. Any other text is left as it is."""
    if text.startswith(GUARD) and FORMULA_START.match(text, 1):
        return text[1:]
    return text


def write_csv(
    header: list[str], rows: Iterable[Iterable], *, delimiter: str = ";", bom: bool = True
) -> bytes:
    """Every CSV the product makes is written here. By default one Danish Excel opens
    correctly: UTF-8 with BOM, `;` separated. Text that would be a formula stays text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def xlsx_text(sheet, value: str):
    """A text value for a write-only sheet that stays text: openpyxl would store a
    value starting with "=" (a name like "=HYPERLINK(…)") as a formula, and refuses
    control characters. Other text is stored as a string, which no spreadsheet runs,
    whatever it starts with."""
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
