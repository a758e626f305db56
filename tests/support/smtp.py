"""A real SMTP server on loopback (aiosmtpd) that collects what the app sends, and that a
test can stop in the middle of a message and start again on the same port."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage
from itertools import count

from aiosmtpd.controller import Controller

from tests.support import free_port


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.sessions: set[int] = set()
        self.lock = threading.Lock()
        self._numbers = count(1)
        # Set by hold_after(): the message after this many is held until the server stops.
        self.hold_after: int | None = None
        self.holding = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@refused.example"):  # a mailbox that does not exist
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            hold = self.hold_after is not None and len(self.messages) >= self.hold_after
        if hold:
            self.holding.set()
            while True:  # until stop() cancels this session: the message is never accepted
                await asyncio.sleep(0.01)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            if not hasattr(session, "forslag_number"):  # one number per connection
                session.forslag_number = next(self._numbers)
            self.sessions.add(session.forslag_number)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.collector = _Collector()
        self._controller: Controller | None = None

    def start(self) -> SMTPServer:
        self.collector.hold_after = None
        self.collector.holding.clear()
        self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold_after(self, count: int) -> None:
        """Accept `count` messages in all, then hang on the next one, as a server that dies
        in the middle of a message does; `holding` is set once it hangs."""
        self.collector.hold_after = count

    def clear(self) -> None:
        with self.collector.lock:
            self.collector.messages.clear()
            self.collector.sessions.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.collector.lock:
            return list(self.collector.messages)

    @property
    def sessions(self) -> set[int]:
        with self.collector.lock:
            return set(self.collector.sessions)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def bodies_to(self, address: str) -> list[str]:
        return [text_of(m) for m in self.to(address)]


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a message."""
    return message.get_body(("plain",)).get_content()
