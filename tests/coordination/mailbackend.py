"""A file e-mail backend that takes its time, so a worker can be killed mid-batch."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        time.sleep(float(os.environ.get("KIP_TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)
