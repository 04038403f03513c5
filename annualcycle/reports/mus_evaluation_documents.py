"""The MUS evaluation's documents: the spreadsheet (every unit of the subtree) and the
PDF summary (the unit's own page: totals, themes and a row per child unit). Both show
exactly the cells `annualcycle.reports.mus_evaluation` lets through; a hidden figure is
written as "skjult", never as a number or a blank that could pass for zero."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from annualcycle.reports.documents import DATE_FORMAT, SHARE_FORMAT, Book
from annualcycle.reports.mus_evaluation import (
    HELD,
    KINDS,
    NO_THEME,
    MusEvaluation,
    Row,
)
from mus.models import ConversationKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The columns of a row after the unit, in order: (count, title).
COLUMNS: list[tuple[str, StrOrPromise]] = [
    ("people", gettext_lazy("Personer")),
    *[(name, ConversationKind(kind).label) for name, kind in zip(HELD, KINDS, strict=True)],
    ("held", gettext_lazy("Samtaler afholdt i alt")),
    ("scheduled", gettext_lazy("Samtaler planlagt")),
    ("cancelled", gettext_lazy("Samtaler aflyst")),
    ("with_held", gettext_lazy("Personer med afholdt samtale")),
    ("signed", gettext_lazy("Planer underskrevet")),
    ("period_plans", gettext_lazy("Periodens planer")),
    ("awaiting", gettext_lazy("Planer der afventer underskrift")),
    ("follow_ups_due", gettext_lazy("Opfølgninger i perioden")),
    ("follow_ups_done", gettext_lazy("Heraf fulgt op")),
    ("check_ins", gettext_lazy("Midtvejsopfølgninger registreret")),
]


def hidden_text() -> str:
    return _("skjult")


def theme_label(theme: str) -> str:
    return theme if theme != NO_THEME else _("Ingen kompetence valgt")


def definitions(content: MusEvaluation) -> list[str]:
    """How each figure is counted, shared by the spreadsheet and the PDF."""
    return [
        _(
            "Personer: aktive medarbejdere, hvis hovedstilling i dag ligger i enheden; "
            "hver tæller én gang, i sin hovedstillings enhed."
        ),
        _(
            "Samtaler afholdt: samtaler med status afholdt i perioden, efter type. En "
            "GRUS/TUS tæller én gang pr. deltager. Planlagt og aflyst: samtaler med "
            "tidspunkt i perioden og den status i dag."
        ),
        _(
            "Planer underskrevet: planer, som både medarbejder og leder har underskrevet "
            "i perioden. Periodens planer: planer fra samtaler afholdt i perioden; de "
            "afventer underskrift, når den nyeste version mangler en underskrift i dag."
        ),
        _(
            "Opfølgninger: planer, hvis opfølgningsdato ligger i perioden. Fulgt op: "
            "planen fik en midtvejsopfølgning i perioden, eller alle dens aktiviteter er "
            "gennemført (droppede aktiviteter tæller ikke med)."
        ),
        _(
            "Temaer: målene i den nyeste version af periodens planer, efter "
            "kompetencegruppen for de kompetencer, målet handler om. Et mål om "
            "kompetencer i to grupper tæller i begge."
        ),
        _(
            "Anonymitet: intet tal bygger på færre end %(k)s personer, og intet skjult tal "
            "kan regnes ud ved at trække viste tal fra hinanden. Skjulte tal står som "
            "»skjult«."
        )
        % {"k": content.k},
    ]


def scope_labels(content: MusEvaluation) -> list[tuple[str, str]]:
    report = content.report
    return [
        (_("Kommune"), report.kommune.name),
        (_("Enhed (med underenheder)"), report.unit.name),
        (_("Periode"), f"{report.period_start:%d-%m-%Y} – {report.period_end:%d-%m-%Y}"),
        (_("Bestilt af"), report.requested_by.name),
        (_("Mindste gruppe"), str(content.k)),
    ]


# --- The spreadsheet -------------------------------------------------------------------


def _value(value: Any) -> Any:
    return hidden_text() if value is None else value


def _row_label(row: Row) -> str:
    return _("Direkte i %(unit)s") % {"unit": row.label} if row.direct else row.label


def write_xlsx(content: MusEvaluation, target) -> None:
    """The spreadsheet, written to `target` (a path or a binary file)."""
    book = Book(target)
    _overview_sheet(book, content)
    _units_sheet(book, content)
    _themes_sheet(book, content)
    book.workbook.close()


def _overview_sheet(book: Book, content: MusEvaluation) -> None:
    sheet = book.sheet(_("Oversigt"), [44, 48])
    sheet.append([_("MUS-evaluering")], bold=True)
    for label, value in scope_labels(content):
        sheet.append([label, value])
    sheet.append([_("Dato"), content.generated_at], ["", DATE_FORMAT])
    total = content.total
    part = content.shown_part
    if part is not None:
        sheet.append([_("Den samlede enhed er skjult. Tallene er summen af de viste rækker.")])
        total = part
    for name, title in COLUMNS:
        sheet.append([str(title), _value(total.count(name))])
    share = total.share_held
    sheet.append(
        [_("Andel med afholdt samtale"), share if share is not None else _value(None)],
        ["", SHARE_FORMAT],
    )
    sheet.append([])
    for line in definitions(content):
        sheet.append([line])


def _units_sheet(book: Book, content: MusEvaluation) -> None:
    titles = [_("Enhed"), _("Placering")] + [str(title) for _name, title in COLUMNS]
    titles.append(_("Andel med afholdt samtale"))
    sheet = book.sheet(_("Pr. enhed"), [32, 40] + [14] * (len(COLUMNS) + 1))
    sheet.header(titles)
    formats = [""] * (2 + len(COLUMNS)) + [SHARE_FORMAT]
    for row in content.units:
        values: list[Any] = [_row_label(row), row.placement]
        values += [_value(row.count(name)) for name, _title in COLUMNS]
        values.append(row.share_held if not row.hidden else hidden_text())
        sheet.append(values, formats)


def _themes_sheet(book: Book, content: MusEvaluation) -> None:
    sheet = book.sheet(_("Temaer"), [32, 40] + [16] * len(content.themes))
    sheet.header([_("Enhed"), _("Placering")] + [theme_label(t) for t in content.themes])
    # The first unit row is the report's own unit, its total.
    for row in content.units or [content.total]:
        values: list[Any] = [_row_label(row), row.placement]
        values += [_value(row.goals(theme)) for theme in content.themes]
        sheet.append(values)
    sheet.append([])
    sheet.append([_("Tallene er antal udviklingsmål pr. kompetencegruppe.")])


# --- The PDF summary -------------------------------------------------------------------


def pdf_bytes(content: MusEvaluation) -> bytes:
    """The summary: scope, the subtree's figures, the goals' themes and a row per child
    unit. Aggregates only, no names of people. Drawn by WeasyPrint without network
    access, as PDF/UA-1."""
    from mus.pdf import html_to_pdf

    total = content.shown_part or content.total
    html = render_to_string(
        "annualcycle/mus_evaluation_pdf.html",
        {
            "content": content,
            "part": content.shown_part,
            "shown": total,
            "report": content.report,
            "kommune": content.report.kommune,
            "scope": scope_labels(content),
            "figures": [(title, total.count(name)) for name, title in COLUMNS],
            "themes": [(theme_label(theme), total.themes.get(theme)) for theme in content.themes],
            "rows": [(_row_label(row), row) for row in content.page],
            "definitions": definitions(content),
        },
    )
    return html_to_pdf(html)
