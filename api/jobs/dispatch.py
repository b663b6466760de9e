"""The job queue: the Celery app, its two tasks, and the hand-off after commit.

- With ``CELERY_BROKER_URL`` (production: Redis), a notification created by a
  request is sent to the queue as a ``upright.deliver`` task as soon as the
  request's transaction commits; a worker delivers it within moments. Celery
  beat sends ``upright.tick`` every minute: one round of every periodic job.
- Without a broker (the embedded default), nothing else needs to run: the push
  is sent in-process right after the commit, and the periodic round runs with
  ``flask --app wsgi jobs tick`` (``--every 60`` to keep it going).

If the broker cannot be reached, the hand-off is skipped and logged: the
deliveries stay queued in the database and the next round sends them, so the
promise of a push within a minute holds as long as the round runs.

Celery (with kombu, amqp and billiard) is imported and its app built on first use,
by ``celery_app``: a web worker without a broker never needs it, and one with a
broker builds it at its first hand-off. That keeps about 5 MB out of every web
worker that has not sent a task.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.database import state, utcnow
from api.jobs import delivery, fcm
from api.notifications.service import DEFER, PENDING

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger("upright.jobs")
DELIVER_TASK = "upright.deliver"
TICK_TASK = "upright.tick"
_said_push_is_off = False
_CELERY = "upright.celery"
_celery_lock = threading.Lock()


@dataclass
class Push:
    """Whether push is on, and the FCM client that sends."""

    client: fcm.FcmClient | None = None

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def send(self, message: dict[str, Any]) -> fcm.SendResult:
        assert self.client is not None
        return self.client.send(message)


def celery_app(app: Flask) -> Celery:
    """The Celery app of this Flask app, built at the first call (see the module's note)."""
    celery = app.extensions.get(_CELERY)
    if celery is None:
        with _celery_lock:  # two threads handing off at once build it once
            celery = app.extensions.get(_CELERY)
            if celery is None:
                celery = app.extensions[_CELERY] = make_celery(app)
    return celery


def make_celery(app: Flask) -> Celery:
    """The Celery app of this Flask app: tasks run inside its app context."""
    from celery import Celery, Task

    class AppContextTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("CELERY_BROKER_URL")
    celery = Celery("upright", task_cls=AppContextTask, set_as_current=False)
    celery.conf.update(
        broker_url=broker or "memory://",
        task_ignore_result=True,
        task_acks_late=True,  # a worker killed mid-task: the message is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        beat_schedule={"upright-tick": {"task": TICK_TASK, "schedule": 60.0}},
        timezone="UTC",
    )

    # Not shared: a shared task is also registered on every Celery app finalised later,
    # so a second app in one process (tests, the CLI) would get two callables per name.
    @celery.task(name=DELIVER_TASK, shared=False)
    def deliver(notification_id: int) -> dict[str, int]:
        return deliver_now(app, notification_id)

    @celery.task(name=TICK_TASK, shared=False)
    def tick() -> dict[str, Any]:
        from api.jobs.rounds import run_round

        return run_round(app, now=utcnow())

    return celery


def deliver_now(app: Flask, notification_id: int) -> dict[str, int]:
    push: Push = app.extensions["upright.push"]
    if not push.enabled:
        return {}
    factory = state(app).session_factory

    def session() -> Session:
        new = factory()
        new.info[DEFER] = True
        return new

    return delivery.deliver_due(session, push.send, now=utcnow(), notification_id=notification_id)


def _after_commit(app: Flask, session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: wait for the real commit
    ids = session.info.pop(PENDING, None)
    if not ids or session.info.get(DEFER):
        return
    if not app.config.get("CELERY_BROKER_URL"):
        try:
            for notification_id in ids:
                deliver_now(app, notification_id)  # in-process: no queue configured
        except Exception as error:  # the request has committed: never fail it now
            log.error("in-process push failed (%s): the next round retries", type(error).__name__)
        return
    celery = celery_app(app)
    try:
        for notification_id in ids:
            celery.send_task(DELIVER_TASK, args=[notification_id])
    except Exception as error:  # the broker is down: the next round sends them
        log.warning(
            "job queue unreachable (%s): pushes wait for the next round", type(error).__name__
        )


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(PENDING, None)


def init_app(app: Flask) -> None:
    global _said_push_is_off
    credentials = app.config.get("FCM_CREDENTIALS_FILE")
    client = None
    if credentials:
        from api.config import ConfigError

        try:
            client = fcm.FcmClient(credentials, app.config["FCM_BASE_URL"])
        except (OSError, ValueError, KeyError) as error:
            raise ConfigError(
                f"FCM_CREDENTIALS_FILE cannot be used ({type(error).__name__}): give the path "
                "of a Firebase service-account JSON file, or unset it to switch push off."
            ) from None
    elif not _said_push_is_off:
        _said_push_is_off = True
        log.warning(
            "push notifications are off: FCM_CREDENTIALS_FILE is not set; "
            "notifications stay in the in-app inbox"
        )
    app.extensions["upright.push"] = Push(client)
    factory = state(app).session_factory
    event.listen(factory, "after_commit", lambda session: _after_commit(app, session))
    event.listen(factory, "after_rollback", _after_rollback)
