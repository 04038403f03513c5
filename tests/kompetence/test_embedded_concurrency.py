"""The embedded default (`make demo`: SQLite in a file, Django's threaded server) holds
concurrent autosaves: twenty people answer at once, each typing a comment and clicking
a level at the same moment, and no answer is lost and no request fails.

This drives the real server process over HTTP against a real database file, because
"database is locked" only happens between connections to one file; the in-memory
database of the other tests cannot show it."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 20
PASSWORD = "test-password-123"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kompetence.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    built = subprocess.run(
        [sys.executable, "-m", "tests.embedded_site", str(PEOPLE)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    site = json.loads(built.stdout)
    port = _free_port()
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        site.update(port=port, database=folder / "db.sqlite3", log=folder / "server.log")
        yield site
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def _signed_in_session(site: dict, username: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    host = f"{site['kommune']}.localhost:{site['port']}"
    session.headers["Host"] = host
    base = f"http://127.0.0.1:{site['port']}"
    page = session.get(f"{base}/log-ind/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/log-ind/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["HX-Request"] = "true"
    return session, base


def test_twenty_concurrent_autosaving_people_lose_nothing_on_the_embedded_database(
    embedded_site,
):
    site = embedded_site
    sessions = [_signed_in_session(site, p["username"]) for p in site["people"]]
    errors: list[str] = []
    start = threading.Barrier(PEOPLE)

    def answer(index: int) -> None:
        person = site["people"][index]
        session, base = sessions[index]
        start.wait()
        for n, competence in enumerate(person["competences"]):
            url = f"{base}/evaluering/{person['evaluation']}/svar/{competence}/"
            level = 1 + (index + n) % 5
            comment = f"Bemærkning {index}-{n}"
            # The comment typed and the level clicked go out at the same moment, as two
            # requests for the same answer.
            results: list[requests.Response] = []

            def post(data: dict, url: str = url, results: list = results) -> None:
                results.append(session.post(url, data, timeout=60))

            both = [
                threading.Thread(target=post, args=(data,))
                for data in (
                    {f"comment-{competence}": comment},
                    {f"comment-{competence}": comment, f"level-{competence}": level},
                )
            ]
            for thread in both:
                thread.start()
            for thread in both:
                thread.join()
            for response in results:
                if response.status_code != 200:
                    errors.append(f"{index}/{competence}: {response.status_code}")
            # The level is what the person last gave; make sure it is the stored one.
            final = session.post(
                url, {f"comment-{competence}": comment, f"level-{competence}": level}, timeout=60
            )
            if final.status_code != 200:
                errors.append(f"{index}/{competence} final: {final.status_code}")

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    log = site["log"].read_text(errors="replace")
    assert errors == [], log[-3000:]
    assert "database is locked" not in log

    with sqlite3.connect(site["database"]) as db:
        for index, person in enumerate(site["people"]):
            stored = dict(
                db.execute(
                    "SELECT competence_id, level FROM profiles_rating WHERE evaluation_id = ?",
                    [person["evaluation"]],
                ).fetchall()
            )
            expected = {c: 1 + (index + n) % 5 for n, c in enumerate(person["competences"])}
            assert stored == expected, f"person {index}"
            comments = {
                row[0]
                for row in db.execute(
                    "SELECT comment FROM profiles_rating WHERE evaluation_id = ?",
                    [person["evaluation"]],
                )
            }
            assert comments == {f"Bemærkning {index}-{n}" for n in range(len(expected))}


def test_a_report_ordered_on_the_embedded_site_is_made_after_the_answer_and_polled_for(
    embedded_site,
):
    """Without a broker the web process makes the report on its background thread
    (kompetence.infra.runner): the order is answered at once and the page polls until
    the report is ready, as with a real worker."""
    site = embedded_site
    session, base = _signed_in_session(site, site["hr"])
    del session.headers["HX-Request"]
    ordered = session.post(
        f"{base}/rapporter/", {"unit": site["root"]}, allow_redirects=False, timeout=60
    )
    assert ordered.status_code == 302, ordered.text[:500]
    page = session.get(f"{base}{ordered.headers['Location']}", timeout=60)
    report_id = re.search(r'hx-get="/rapporter/(\d+)/status/"', page.text)
    if report_id is not None:  # still being made: the page polls its status
        for _ in range(120):
            status = session.get(f"{base}/rapporter/{report_id.group(1)}/status/", timeout=60)
            if "every 2s" not in status.text:
                break
            time.sleep(0.5)
        page = status
    assert "Regneark (XLSX)" in page.text, page.text[-2000:]
    assert "Traceback" not in site["log"].read_text(errors="replace")
