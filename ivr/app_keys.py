"""Typed keys for what the aiohttp application carries."""

from __future__ import annotations

from aiohttp import web

from dialogue.engine import DialogueManager

MANAGER = web.AppKey("manager", DialogueManager)
