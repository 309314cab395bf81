"""Celery tasks: thin wrappers that load ids and call one service each."""

from celery import shared_task


@shared_task(ignore_result=True)
def sweep() -> None:
    """Beat, every minute: what is due, from the database."""
    from apps.notifications.reminders import reminders_sweep

    reminders_sweep()


@shared_task(ignore_result=True)
def notifications_deliver(notification_ids: list[int]) -> None:
    """Deliver a batch: claimed as a whole, only the rows this worker claimed are sent, so a
    retry or a second worker given the same ids repeats nothing."""
    from apps.notifications.delivery import notifications_deliver as deliver

    deliver(notification_ids=[int(pk) for pk in notification_ids])


@shared_task(ignore_result=True)
def audit_seal() -> int:
    """Beat, every few seconds: chain the new audit events (never on the request path)."""
    from apps.audit.chain import audit_seal as seal

    return seal()


@shared_task(ignore_result=True)
def audit_prune() -> int:
    """Beat, daily: remove access events past retention, leaving a checkpoint in the chain."""
    from apps.audit.retention import audit_prune as prune

    return prune()


@shared_task(ignore_result=True)
def noop() -> None:
    """For the benchmark: the cost of a task that does nothing."""
