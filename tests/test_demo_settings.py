"""The settings `make demo` runs with serve real pages: migrate a fresh SQLite file,
load one kommune and render its login page, in a separate process."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
from django.test import Client
from kompetence import services
from kompetence.models import Kommune
services.kommune_create(slug="demo", name="Demo Kommune", hr_name="HR", hr_email="hr@demo.example")
client = Client(HTTP_HOST="demo.localhost:8000")
page = client.get("/log-ind/")
assert page.status_code == 200, page.status_code
assert 'lang="da"' in page.text
css = client.get("/static/css/app.css")
assert css.status_code == 200, css.status_code
print("demo-settings-ok")
"""


def test_local_settings_serve_the_login_page_and_static_files(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "kompetence.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    migrated = manage("migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    result = manage("shell", "-c", SCRIPT)
    assert "demo-settings-ok" in result.stdout, result.stdout + result.stderr
