"""Where apps further along the data flow add to the MUS pages: panels on both parties'
preparation page and on the conversation screen (e.g. the employee's mandatory training
and the proof they uploaded, from `catalogue`)."""

from __future__ import annotations

from collections.abc import Callable

# Callables (request, conversation) -> HTML string or "", shown under "Opfølgning fra
# sidst" on the preparation page and on the conversation screen, in order.
CONVERSATION_PANELS: list[Callable] = []


def register_conversation_panel(panel: Callable) -> None:
    if panel not in CONVERSATION_PANELS:
        CONVERSATION_PANELS.append(panel)


def conversation_panels(request, conversation) -> list[str]:
    return [html for panel in CONVERSATION_PANELS if (html := panel(request, conversation))]
