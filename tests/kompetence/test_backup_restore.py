"""Backups restore: scripts/backup of a running site, scripts/restore onto a PostgreSQL
cluster made fresh for the test (initdb), and the restored site works — a kommune page
behind row-level security, the stored files, /healthz/. And /healthz/ notices a database
whose application role cannot read the tenant tables (what a restore without the roles
used to leave behind while "SELECT 1" still answered)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.workers import database_url_of_test_db

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL's server programs refuse to run as root; CI runs as root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + command, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture
def fresh_cluster():
    """A new, empty PostgreSQL cluster of the server's own version, on a free port."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    bindir = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (bindir / "initdb").exists():
        pytest.fail(f"initdb of PostgreSQL {major} is missing ({bindir})")
    folder = Path(tempfile.mkdtemp(prefix="kompetence-restore-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"])
    _as_postgres(
        [
            *(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"),
            *("start", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"),
        ]
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{port}"
    finally:
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


CHECK_SITE = """
import json, django
django.setup()
from django.test import Client
from kompetence.models import Person
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune
kommune = Kommune.objects.get(slug="alfa")
with kommune_scope(kommune):
    person = Person.objects.get(name="Eva Medarbejder")
client = Client(HTTP_HOST="alfa.localhost", raise_request_exception=False)
client.force_login(person.user)
home = client.get("/")
health = Client(HTTP_HOST="localhost").get("/healthz/")
print(json.dumps({"home": home.status_code, "name": person.name in home.text,
                  "health": health.status_code, "checks": health.json()["checks"]}))
"""


def test_a_backup_restores_onto_a_fresh_cluster_as_a_working_site(org_a, fresh_cluster, tmp_path):
    media = tmp_path / "media"
    (media / "plans").mkdir(parents=True)
    (media / "plans" / "plan-1.pdf").write_bytes(b"%PDF-1.7 signed plan")
    backup = tmp_path / "backup"
    env = {**os.environ, "DATABASE_URL": database_url_of_test_db(), "MEDIA_ROOT": str(media)}
    env.pop("MIGRATION_DATABASE_URL", None)
    subprocess.run([str(ROOT / "scripts/backup"), str(backup)], env=env, check=True)
    assert {p.name for p in backup.iterdir()} >= {"roles.sql", "database.dump", "media.tar.gz"}

    restored_media = tmp_path / "restored-media"
    target = f"{fresh_cluster}/kompetence_restored"
    restore_env = {
        **os.environ,
        "RESTORE_ADMIN_URL": f"{fresh_cluster}/postgres",
        "DATABASE_URL": target,
        "MEDIA_ROOT": str(restored_media),
        "PYTHON": sys.executable,
    }
    restore_env.pop("DATABASE_APP_PASSWORD", None)
    result = subprocess.run(
        [str(ROOT / "scripts/restore"), str(backup)],
        env=restore_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Restored kompetence_restored" in result.stdout
    assert (restored_media / "plans" / "plan-1.pdf").read_bytes() == b"%PDF-1.7 signed plan"

    # The restored site, as the application runs: every kommune scope as the app role.
    site_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kompetence.settings.test",
        "DATABASE_URL": target,
        "DATABASE_APP_ROLE": settings.DATABASE_APP_ROLE,
        "REDIS_URL": settings.REDIS_URL,
    }
    checked = subprocess.run(
        [sys.executable, "-c", CHECK_SITE],
        env=site_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    outcome = json.loads(checked.stdout.strip().splitlines()[-1])
    assert outcome == {
        "home": 200,
        "name": True,
        "health": 200,
        "checks": outcome["checks"] | {"tenant_tables": "ok"},
    }

    # Restoring again into the same database is refused, and nothing is touched.
    again = subprocess.run(
        [str(ROOT / "scripts/restore"), str(backup)],
        env=restore_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0 and "exists already" in again.stderr


def test_healthz_fails_when_the_application_role_cannot_read_tenant_tables(client):
    role = connection.ops.quote_name(settings.DATABASE_APP_ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE SELECT ON kompetence_orgunit FROM {role}")  # noqa: S608
    try:
        response = client.get("/healthz/", HTTP_HOST="localhost")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT SELECT ON kompetence_orgunit TO {role}")
    assert response.status_code == 503
    assert response.json()["checks"]["tenant_tables"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"
    assert client.get("/healthz/", HTTP_HOST="localhost").status_code == 200
