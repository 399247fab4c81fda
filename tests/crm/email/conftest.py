"""The e-mail channel's fixtures (a bot on SQLite, real SMTP on loopback) for the contact-history tests."""

from tests.outreach.conftest import manager, outbox_server, rig  # noqa: F401
