"""The embedded mode's background runner: without a broker, work runs after the response.

Without REDIS_URL (`make demo`, a laptop) there is no Celery worker, and Celery runs a
task in-process the moment it is sent (CELERY_TASK_ALWAYS_EAGER). Sent from a request,
that is inside the request: the signature that completes a plan waited seconds for its
PDF. So a process that serves web requests (kompetence.wsgi, which `runserver` loads
too) hands each task to one background thread instead, and the page polls the row as it
does with a real worker. The row always finishes or says why: `WorkTask` stores a
failure on it, as a worker would.

One thread, so the embedded SQLite database sees one background writer at a time beside
the requests (its busy timeout makes either wait its turn). Each job opens its own
database connections and closes them when done; the task base reopens the kommune's
scope by id, exactly as in a worker. Work left pending when the server stopped is sent
again when it starts (`start`). Management commands (`seed_demo`) and the test
client keep running tasks in place: they rely on the work being done when the call
returns. Tests switch the runner on with `run_after_response()` and wait with `drain()`.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from celery.contrib.django.task import DjangoTask
from celery.utils import uuid
from django.db import connections
from kombu import serialization

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pending: set[Future] = set()
_after_response = False


def run_after_response(enabled: bool = True) -> None:
    """Called by the web process at start: tasks sent without a broker run on the
    background thread from now on."""
    global _after_response
    _after_response = enabled


def runs_after_response() -> bool:
    return _after_response


def start() -> None:
    """The web process starts (kompetence.wsgi, kompetence.asgi). Without a broker it
    runs work after the response from now on, and first sends again the work its last
    run left pending: that run's thread stopped with it, and no beat sweeps here."""
    from kompetence.celery import app

    if not app.conf.task_always_eager:
        return
    run_after_response()
    from kompetence.tasks import resume_work_all  # the tasks import this module

    resume_work_all.delay()


def _run(task: DjangoTask, args: tuple, kwargs: dict, options: dict) -> None:
    try:
        # Eager execution, as before, only on this thread: WorkTask records a failure on
        # its row; whatever else is raised is logged here (nobody waits to see it).
        task.apply(args, kwargs, **options)
    except Exception:
        logger.exception("Background task %s failed", task.name)
    finally:
        connections.close_all()


def submit(task: DjangoTask, args: tuple, kwargs: dict, options: dict) -> Future:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
        future = _executor.submit(_run, task, args, kwargs, options)
        _pending.add(future)
    future.add_done_callback(_pending.discard)
    return future


def drain(timeout: float = 60) -> None:
    """Waits until the work sent so far, and any work it sent in turn, has finished."""
    while True:
        with _lock:
            pending = set(_pending)
        if not pending:
            return
        _done, not_done = wait(pending, timeout=timeout)
        if not_done:
            raise TimeoutError(f"{len(not_done)} background tasks still running")


class BackgroundTask(DjangoTask):
    """The base of every task (CELERY task_cls): without a broker and in a web process,
    sending a task queues it for the background thread instead of running it now."""

    abstract = True

    def apply_async(
        self,
        args: Any = None,
        kwargs: Any = None,
        task_id: str | None = None,
        producer: Any = None,
        link: Any = None,
        link_error: Any = None,
        shadow: Any = None,
        **options: Any,
    ) -> Any:
        if not (self.app.conf.task_always_eager and _after_response):
            return super().apply_async(
                args, kwargs, task_id, producer, link, link_error, shadow, **options
            )
        # Through the serializer, as a broker would: the thread gets its own copy of the
        # arguments, and an argument a worker could not receive fails here too.
        content_type, encoding, data = serialization.dumps(
            (args or (), kwargs or {}), self.app.conf.task_serializer
        )
        args, kwargs = serialization.loads(data, content_type, encoding, accept=[content_type])
        task_id = task_id or uuid()
        submit(self, tuple(args), kwargs, {**options, "task_id": task_id})
        return self.AsyncResult(task_id)
