"""E-mail to people, in each recipient's own language (Danish unless they chose English).

Bodies are plain text rendered from templates with autoescaping off: whatever a user
typed arrives as text, never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from kompetence.models import Person

_suppressed: ContextVar[bool] = ContextVar("mail_suppressed", default=False)


@contextmanager
def mail_suppressed():
    """No e-mail leaves while this is open: for loading demo data, which describes
    events that never happened to real people."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def language_of(person: Person) -> str:
    user = person.user
    return user.language if user is not None and user.language else settings.LANGUAGE_CODE


def send_to_person(
    person: Person,
    *,
    subject_template: str,
    body_template: str,
    context: dict,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> bool:
    """Renders and sends one e-mail. Returns False when the person has no address."""
    if not person.email or _suppressed.get():
        return False
    with translation.override(language_of(person)):
        context = {**context, "recipient": person}
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    message = EmailMessage(subject=subject, body=body, to=[person.email])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()
    return True
