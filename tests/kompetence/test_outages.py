"""Outages of the services behind the site, made real: a PostgreSQL connection killed
by the server, a Redis server stopped, frozen and restarted. People stay signed in, a
page that cannot work says so with the Danish 503 page, and nothing answers 500."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError, close_old_connections, connection
from django.test import Client, override_settings
from django.urls import reverse

from kompetence.infra import rls
from tests.conftest import host_of

PASSWORD = "test-password-123"


def _terminate_backend_of_this_connection() -> None:
    """Ends our connection's server process from a second connection, as a PostgreSQL
    restart or a failover does; our side does not notice until it next talks."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_between_requests_is_replaced_not_a_500(org_a):
    """The kommune is bound on the driver's connection before any query; a connection
    the server ended while idle is checked and replaced first, so the next page works."""
    client = Client(HTTP_HOST=host_of(org_a.kommune), raise_request_exception=False)
    client.force_login(org_a.employee.user)
    assert client.get(reverse("home")).status_code == 200

    _terminate_backend_of_this_connection()
    # What Django's handler does at the start of every request (the test client leaves
    # it out): reused connections are due for a health check again.
    close_old_connections()
    try:
        response = client.get(reverse("home"))
    finally:
        connection.close()

    assert response.status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_binding_the_kommune_on_a_dead_connection_is_a_database_outage(org_a):
    """Should the connection die at the very moment the kommune is bound, the error is
    Django's OperationalError, which the error handler answers with the 503 page."""
    connection.ensure_connection()
    _terminate_backend_of_this_connection()
    try:
        with pytest.raises(OperationalError):
            rls._apply(connection, org_a.kommune.pk)
    finally:
        connection.close()


def test_a_driver_error_escaping_a_view_gets_the_danish_503_page(org_a, settings):
    settings.ROOT_URLCONF = "tests.kompetence.outage_urls"
    client = Client(HTTP_HOST=host_of(org_a.kommune), raise_request_exception=False)
    response = client.get("/psycopg-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Kompetence er midlertidigt utilgængelig" in response.text
    response = client.get("/redis-down/")
    assert response.status_code == 503


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A Redis server of the test's own, so stopping it harms no other test."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    @contextmanager
    def frozen(self):
        """Redis that hangs: the process is there, the port accepts, nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_on(redis_server):
    """The project's own cache and session settings, pointed at the test's Redis."""
    base = settings.CACHES["default"]
    if not base["BACKEND"].endswith("RedisCache"):
        pytest.fail("make test-pg sets REDIS_URL; this test checks the Redis configuration")
    with override_settings(CACHES={"default": {**base, "LOCATION": redis_server.url}}):
        caches["default"].clear()
        yield redis_server
    caches["default"].close()


def _signed_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    assert response.status_code == 200, response.status_code
    return "log-ind" not in response.request["PATH_INFO"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_signs_nobody_out_and_sign_in_still_works(org_a, cache_on):
    client = Client(HTTP_HOST=host_of(org_a.kommune), raise_request_exception=False)
    response = client.post(
        reverse("login"), {"username": org_a.employee.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200 and org_a.employee.name in home.text

    cache_on.stop()
    home = client.get(reverse("home"))
    assert home.status_code == 200 and org_a.employee.name in home.text

    other = Client(HTTP_HOST=host_of(org_a.kommune), raise_request_exception=False)
    response = other.post(
        reverse("login"), {"username": org_a.leader.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, "signing in during a Redis outage works"
    assert org_a.leader.name in other.get(reverse("home")).text

    cache_on.start()  # back, and empty: the sessions come from the database
    assert org_a.employee.name in client.get(reverse("home")).text
    assert org_a.leader.name in other.get(reverse("home")).text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hanging_redis_is_given_up_on_and_loses_no_session(org_a, cache_on):
    client = Client(HTTP_HOST=host_of(org_a.kommune), raise_request_exception=False)
    client.force_login(org_a.employee.user)
    assert org_a.employee.name in client.get(reverse("home")).text

    with cache_on.frozen():
        started = time.monotonic()
        home = client.get(reverse("home"))
        took = time.monotonic() - started
    assert home.status_code == 200 and org_a.employee.name in home.text
    # Each cache call gives up after the socket timeout instead of waiting for ever.
    assert took < 60

    assert org_a.employee.name in client.get(reverse("home")).text
