"""Your devices, your notifications and your reminders."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.accounts.models import Role
from api.blueprint import Blueprint, current_user
from api.database import get_session, utcnow
from api.notifications import reminders, service
from api.notifications.schemas import (
    DeviceCreateSchema,
    DeviceSchema,
    NotificationQuerySchema,
    NotificationSchema,
    RemindersSchema,
    RemindersUpdateSchema,
)
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/me",
    description=(
        "Push devices, the notification inbox and reminders. Lock-screen text never holds "
        "health detail: the app fetches details after sign-in."
    ),
)

DEVICE_EXAMPLE = {
    "id": 3,
    "platform": "android",
    "token_suffix": "Xk9_q2",
    "app_version": "1.4.0",
    "locale": "en-GB",
    "created_at": "2026-11-24T18:02:11+00:00",
    "last_seen_at": "2026-11-24T18:02:11+00:00",
}
NOTIFICATION_EXAMPLE = {
    "id": 41,
    "kind": "alert_raised",
    "title": "Upright",
    "body": "A patient's check-in needs your attention.",
    "data": {"alert_id": 12, "patient_id": 7, "path": "/alerts/12"},
    "created_at": "2026-11-24T18:05:00+00:00",
    "read_at": None,
    "deliveries": [
        {
            "device_id": 3,
            "platform": "android",
            "status": "sent",
            "attempts": 1,
            "next_attempt_at": None,
            "last_error": None,
            "sent_at": "2026-11-24T18:05:01+00:00",
        }
    ],
}
REMINDERS_EXAMPLE: dict[str, Any] = {
    "check_in": {"enabled": True, "time": "19:00", "days_of_week": ["mon", "wed", "fri"]},
    "exercise": {"enabled": True, "times": ["08:00", "18:30"]},
    "missed_sessions": {"enabled": True, "after_days": 2},
    "quiet_hours": {"start": "22:00", "end": "07:00"},
}

REMINDERS_VIEW_EXAMPLE = {
    **REMINDERS_EXAMPLE,
    "timezone": "Europe/London",
    "next": {
        "check_in": "2026-11-25T19:00:00+00:00",
        "exercise": "2026-11-25T08:00:00+00:00",
        "missed_sessions": None,
    },
}


@blp.route("/devices")
class Devices(MethodView):
    @blp.doc(operationId="registerDevice")
    @blp.login_required()
    @blp.arguments(
        DeviceCreateSchema,
        example={
            "platform": "android",
            "token": "fcm-registration-token-from-the-app...Xk9_q2",
            "app_version": "1.4.0",
            "locale": "en-GB",
        },
    )
    @blp.response(201, DeviceSchema, description="Registered", example=DEVICE_EXAMPLE)
    @blp.alt_response(
        200,
        schema=DeviceSchema,
        description="This token was already yours (updated)",
        example={**DEVICE_EXAMPLE, "last_seen_at": "2026-11-25T07:40:00+00:00"},
    )
    @blp.conflict("The same token was being registered to another account at that instant")
    def post(self, body):
        """Register this app install for push.

        A token belongs to one account at a time: registering a token known under
        another account moves it here (pending pushes for that account are dropped).
        The same token again answers 200 and updates the device. Tokens are never
        logged and never shown again in full.
        """
        session = get_session()
        device, created = service.register_device(
            db_session=session, user=current_user(), now=utcnow(), **body
        )
        session.commit()
        return device, 201 if created else 200

    @blp.doc(operationId="listDevices")
    @blp.login_required()
    @blp.response(200, DeviceSchema(many=True), example=[DEVICE_EXAMPLE])
    def get(self):
        """Your registered devices.

        Each device shows only the last 6 characters of its push token.
        """
        session = get_session()
        return list(session.scalars(service.devices_stmt(current_user())))


@blp.route("/devices/<int:device_id>")
class DeviceItem(MethodView):
    @blp.doc(operationId="deleteDevice")
    @blp.login_required()
    @blp.response(204)
    @blp.not_found()
    def delete(self, device_id):
        """Stop pushing to a device.

        Its pending pushes are dropped; the notifications stay in your inbox.
        """
        session = get_session()
        service.delete_device(db_session=session, user=current_user(), device_id=device_id)
        session.commit()


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.doc(operationId="listNotifications")
    @blp.login_required()
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True), example=[NOTIFICATION_EXAMPLE])
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, query, pagination_parameters):
        """Your notifications, newest first.

        Every notification, pushed or not, with its delivery record per device.
        `?unread=true` lists the unread ones only.
        """
        stmt = service.inbox_stmt(current_user(), unread=query["unread"])
        rows = paginate(get_session(), stmt, pagination_parameters).scalars().all()
        return rows


@blp.route("/notifications/<int:notification_id>/read")
class ReadNotification(MethodView):
    @blp.doc(operationId="markNotificationRead")
    @blp.login_required()
    @blp.response(
        200,
        NotificationSchema,
        example={**NOTIFICATION_EXAMPLE, "read_at": "2026-11-24T18:07:30+00:00"},
    )
    @blp.not_found()
    def post(self, notification_id):
        """Mark a notification read.

        Marking it again keeps the first time it was read.
        """
        session = get_session()
        notification = service.mark_read(
            db_session=session, user=current_user(), notification_id=notification_id, now=utcnow()
        )
        session.commit()
        return notification


@blp.route("/reminders")
class Reminders(MethodView):
    @blp.doc(operationId="getReminders")
    @blp.login_required(Role.patient)
    @blp.response(200, RemindersSchema, example=REMINDERS_VIEW_EXAMPLE)
    def get(self):
        """Your reminder settings and when each reminder is next due.

        Times are read in your profile's time zone. Defaults: the check-in reminder
        at 19:00 every day, exercise reminders off, a nudge after 2 days without
        logged exercises, no quiet hours.
        """
        return reminders.reminders_view(get_session(), current_user(), now=utcnow())

    @blp.doc(operationId="updateReminders")
    @blp.login_required(Role.patient)
    @blp.arguments(RemindersUpdateSchema, example=REMINDERS_EXAMPLE)
    @blp.response(200, RemindersSchema, example=REMINDERS_VIEW_EXAMPLE)
    def put(self, body):
        """Replace your reminder settings.

        A time that does not exist on a day (clocks going forward) fires at the next
        existing minute; one that happens twice fires once. Nothing is pushed inside
        quiet hours: it waits for their end. The next times are recomputed at once.
        """
        session = get_session()
        view = reminders.put_settings(
            db_session=session, user=current_user(), data=body, now=utcnow()
        )
        session.commit()
        return view


def init_app(app) -> None:
    """Listeners that turn alerts, holds and programme changes into notifications."""
    from api.database import state
    from api.notifications import alerting

    alerting.listen(state(app).session_factory)
