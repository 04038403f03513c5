"""E-mail backends that stand in for a mail server that is down, for tests that prove
a request neither fails nor waits because of it."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

REFUSED = "tests.mail_backends.RefusedBackend"
DISCONNECTED = "tests.mail_backends.DisconnectedBackend"


class RefusedBackend(BaseEmailBackend):
    """Nothing listens on the SMTP port: connecting is refused."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class DisconnectedBackend(BaseEmailBackend):
    """The server answers, then drops the connection."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
