"""static/js/app.js carries no dead code: every `data-*` hook it reacts to is used by a
template or a form's widget attributes (a hook nothing sets is behaviour no page has)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _hooks_in_app_js() -> set[str]:
    script = (ROOT / "static" / "js" / "app.js").read_text()
    selectors = re.findall(r"\[data-([a-z-]+)[\]=]", script)
    dataset = [
        re.sub(r"[A-Z]", lambda m: f"-{m.group().lower()}", name)
        for name in re.findall(r"\.dataset\.([A-Za-z]+)", script)
    ]
    return set(selectors) | set(dataset)


def _form_widget_attributes() -> str:
    """The `data-*` keys forms put on their widgets (`widget.attrs["data-..."]`)."""
    forms = [
        path
        for pattern in ("*/forms.py", "*/forms/*.py", "*/*/forms.py")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts
    ]
    return "\n".join(
        f"data-{name}"
        for path in forms
        for name in re.findall(r"""["']data-([a-z-]+)["']""", path.read_text())
    )


def test_every_data_hook_of_app_js_is_used_by_a_template():
    templates = "\n".join(
        path.read_text()
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts
    )
    used = templates + "\n" + _form_widget_attributes()
    hooks = _hooks_in_app_js()
    assert {"confirm", "autosave", "autofocus", "retry-saves"} <= hooks
    unused = {hook for hook in hooks if f"data-{hook}" not in used}
    assert not unused, f"app.js reacts to data-* attributes no template sets: {unused}"
