"""Beat tasks for the audit trail: thin, they call one function each.

The worker must import this module (``kip_service/celery.py`` lists task modules).
"""

from celery import shared_task

from apps.audit.chain import audit_seal
from apps.audit.retention import audit_prune


@shared_task(name="apps.audit.tasks.audit_seal_task", ignore_result=True)
def audit_seal_task() -> int:
    return audit_seal()


@shared_task(name="apps.audit.tasks.audit_prune_task", ignore_result=True)
def audit_prune_task() -> int:
    return audit_prune()
