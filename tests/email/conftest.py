"""The outreach rig (real SMTP in and out on loopback, the real dialogue) for the customer mails."""

from tests.outreach.conftest import manager, outbox_server, rig  # noqa: F401
