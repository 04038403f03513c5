"""Two views that fail as an outage does, for the 503 page's test."""

import psycopg
from django.urls import path
from redis.exceptions import ConnectionError as RedisConnectionError


def psycopg_down(request):
    raise psycopg.OperationalError("the connection is closed")


def redis_down(request):
    raise RedisConnectionError("Connection refused")


urlpatterns = [
    path("psycopg-down/", psycopg_down),
    path("redis-down/", redis_down),
]
handler500 = "kompetence.infra.http.server_error"
