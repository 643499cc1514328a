"""The mailer: a background thread that sends the outbox's messages after their commit,
and every ``retry_seconds`` tries again the ones a failure left queued (up to
``services.mail.MAX_ATTEMPTS``; each failure is logged and kept on the row)."""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy.orm import Session, sessionmaker

from hemifacial import mailer
from hemifacial.services import mail
from hemifacial.settings import SmtpSettings

log = logging.getLogger(__name__)


class Mailer:
    def __init__(
        self,
        factory: sessionmaker[Session],
        smtp: SmtpSettings,
        *,
        send: mail.Send = mailer.send,
        retry_seconds: float = 60.0,
    ) -> None:
        self._factory, self._smtp, self._send = factory, smtp, send
        self._retry = retry_seconds
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="hemifacial-mail", daemon=True)
            self._thread.start()
            self._requeue()  # what a restart left waiting

    def submit(self, mail_id: int) -> None:
        self._queue.put(mail_id)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def _requeue(self) -> None:
        if not self._smtp.enabled:
            return
        try:
            for mail_id in mail.pending(self._factory):
                self._queue.put(mail_id)
        except Exception as exc:  # the database may be away; the next round tries again
            log.error("outbox not readable: %s", type(exc).__name__)

    def _loop(self) -> None:
        while True:
            try:
                mail_id = self._queue.get(timeout=self._retry)
            except queue.Empty:
                self._requeue()
                continue
            try:
                if mail_id is None:
                    return
                if self._smtp.enabled:
                    mail.deliver(self._factory, self._smtp, mail_id, self._send)
            except Exception as exc:  # keep the thread alive; the row says what failed
                log.error("mail %s crashed: %s", mail_id, type(exc).__name__)
            finally:
                self._queue.task_done()
