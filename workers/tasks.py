"""Celery tasks: thin wrappers that load ids and call one service each."""

from celery import shared_task


@shared_task(ignore_result=True)
def notification_deliver(notification_id: int) -> None:
    from apps.notifications.delivery import notification_deliver as deliver

    deliver(notification_id=notification_id)
