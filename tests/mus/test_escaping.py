"""HTML typed into a text field stays text everywhere: on pages (escaped), in e-mails
(plain text, as typed, no HTML part) and in the PDFs (see test_mus: the PDF shows the
markup as text)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mus import services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script> & <b>fed</b>'


def test_markup_in_a_mus_location_is_text_in_the_email_and_escaped_on_the_page(
    org_a, django_capture_on_commit_callbacks
):
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        conversation = services.conversation_schedule(
            employee=org_a.employee,
            leader=org_a.leader,
            starts_at=timezone.now() + datetime.timedelta(days=3),
            duration_minutes=60,
            is_online=False,
            location=MARKUP,
        )
    invitation = mail.outbox[-1]
    assert MARKUP in invitation.body
    assert invitation.content_subtype == "plain"
    assert not getattr(invitation, "alternatives", [])
    page = client_for(org_a.employee).get(reverse("conversation_detail", args=[conversation.pk]))
    assert page.status_code == 200
    assert MARKUP not in page.text
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;fed&lt;/b&gt;"
    assert escaped in page.text
