"""The training overview as a spreadsheet, for HR: one row per person and requirement,
the same rows the page lists with the same filters, none left out."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from annualcycle.reports.documents import DATE_FORMAT, Book
from annualcycle.training.selectors import Overview


def overview_xlsx(overview: Overview) -> bytes:
    target = io.BytesIO()
    book = Book(target)
    sheet = book.sheet(_("Certifikater"), [30, 16, 30, 30, 16, 14, 14, 14])
    sheet.header(
        [
            _("Navn"),
            _("Medarbejdernummer"),
            _("Enhed"),
            _("Krav"),
            _("Status"),
            _("Gyldig til"),
            _("Frist"),
            _("Gennemført"),
        ]
    )
    formats = ["", "", "", "", "", DATE_FORMAT, DATE_FORMAT, DATE_FORMAT]
    for row in overview.rows:
        status = row.status
        sheet.append(
            [
                row.name,
                row.employee_number,
                row.unit,
                status.requirement.name,
                status.label,
                status.valid_until,
                status.due_by,
                status.completed_on,
            ],
            formats,
        )
    book.workbook.close()
    return target.getvalue()
