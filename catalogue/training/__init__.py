"""Mandatory training: requirements HR sets, whom they apply to, the certificates that
meet them, the proof people upload, expiry reminders and the overviews."""
