"""The after-contact survey over the wire: a keypad question on the phone, a rating from the chat widget.

POST /survey/twilio[?conversation_id=ID]   TwiML: the question in a <Gather numDigits=1> (ID: the CallSid)
POST /survey/twilio/answer?conversation_id=ID&try=N   the key pressed: kept, thanked, hung up
GET  /survey/chat/{conversation_id}         the frame the widget shows (dialogue.survey.chat_frame)
POST /survey/{conversation_id}              {"rating": 1-5, "comment"?: str} from the widget: 204; 400 (bad
                                            rating or comment), 404 (not finished, unknown), 409 (rated)

A voice call reaches the survey by a <Redirect> to /survey/twilio instead of its final <Hangup/>; the
rating is stored on the record (`satisfaction`) and counted in `ivr_satisfaction_total`. docs/outreach.md.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote

from aiohttp import web
from prometheus_client import Counter
from twilio.twiml.voice_response import VoiceResponse

from dialogue.api import Prompt
from dialogue.bot import Bot
from dialogue.desk import OPEN
from dialogue.records import RecordsUnavailable, record
from dialogue.survey import chat_frame, parse_rating, record_rating
from ivr.app_keys import MANAGER
from ivr.desk_app import DESK
from ivr.metrics import REGISTRY
from ivr.voice_common import CONFIG, STORE_DOWN, ensure_setup, read_form
from ivr.voice_twilio import say, twiml

log = logging.getLogger("ivr.survey_channel")
QUESTION_PATH = "/survey/twilio"
ANSWER_PATH = "/survey/twilio/answer"
MAX_TRIES = 2
MAX_COMMENT_CHARS = 500  # what the widget's comment box takes (the record allows more: imports)
RATINGS = Counter("ivr_satisfaction_total", "Survey answers, by channel and rating (1-5)", ["channel", "rating"],
                  registry=REGISTRY)


def count_rating(channel: str, rating: int) -> None:
    RATINGS.labels(channel, str(rating)).inc()


async def keep_first(app: web.Application, cid: str, rating: int, comment: str | None = None) -> str:
    """Keep the first rating of a conversation: "kept", "already" (it has one), or "missing" (no record).
    Under the conversation's own lock (every worker): two answers at once cannot both find it unrated."""
    manager = app[MANAGER]
    async with manager.locks.hold(cid):
        try:
            found = await record(manager.store, cid)
        except RecordsUnavailable:
            found = None
        if found is None:
            return "missing"
        if found.get("satisfaction") is not None:
            return "already"
        return "kept" if await record_rating(manager.store, cid, rating, comment) else "missing"


def _voice(bot: Bot, key: str) -> Prompt:
    return bot.prompts.render(key, "voice", {}, interruptible=True)


def _question(request: web.Request, cid: str, tries: int) -> str:
    bot, cfg = request.app[MANAGER].bot, request.app[CONFIG]
    resp = VoiceResponse()
    action = f"{ANSWER_PATH}?conversation_id={quote(cid)}&try={tries}"
    gather = resp.gather(input="dtmf", num_digits=1, action=action, method="POST", timeout=6)
    say(gather, _voice(bot, "survey_voice_question" if tries == 1 else "survey_voice_retry"), cfg)
    say(resp, _voice(bot, "survey_thanks"), cfg)  # no key pressed: thank and leave
    resp.hangup()
    return str(resp)


async def question(request: web.Request) -> web.Response:
    params = await read_form(request)
    cid = request.query.get("conversation_id") or params["CallSid"]
    return twiml(_question(request, cid, 1))


async def answer(request: web.Request) -> web.Response:
    params = await read_form(request)
    manager, cfg = request.app[MANAGER], request.app[CONFIG]
    cid = request.query.get("conversation_id") or params["CallSid"]
    try:
        tries = int(request.query.get("try", "1"))
    except ValueError:
        tries = MAX_TRIES
    rating = parse_rating(params.get("Digits", ""))
    if rating is None and tries < MAX_TRIES:
        return twiml(_question(request, cid, tries + 1))
    if rating is not None:
        try:
            if await keep_first(request.app, cid, rating) == "kept":
                count_rating("voice", rating)
        except STORE_DOWN as exc:  # the caller is thanked all the same; the log says what was lost
            log.warning("keypad rating of %s not kept: the store does not answer: %s", cid, exc)
    resp = VoiceResponse()
    say(resp, _voice(manager.bot, "survey_thanks"), cfg)
    resp.hangup()
    return twiml(str(resp))


# the widget is embedded on the company's own site: its requests come from another origin
CORS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


def _refuse(status: int, message: str) -> web.HTTPException:
    cls = {400: web.HTTPBadRequest, 404: web.HTTPNotFound, 409: web.HTTPConflict}[status]
    return cls(text=json.dumps({"error": message}), content_type="application/json", headers=CORS)


async def frame(request: web.Request) -> web.Response:
    frame = chat_frame(request.app[MANAGER].bot, request.match_info["conversation_id"])
    return web.json_response(frame, headers=CORS, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def preflight(request: web.Request) -> web.Response:
    return web.Response(status=204, headers={**CORS, "Access-Control-Allow-Methods": "POST, OPTIONS",
                                             "Access-Control-Allow-Headers": "Content-Type",
                                             "Access-Control-Max-Age": "600"})


def _answer(body: object) -> tuple[int, str | None]:
    """The rating and the optional comment of a widget's post; 400 with the reason otherwise."""
    if not isinstance(body, dict):
        raise _refuse(400, 'expected a JSON object {"rating": 1-5, "comment": "..."}')
    rating = body.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise _refuse(400, "rating must be an integer from 1 to 5")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise _refuse(400, "comment must be a string")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise _refuse(400, f"comment is longer than {MAX_COMMENT_CHARS} characters")
    return rating, comment


async def rate(request: web.Request) -> web.Response:
    """One rating per conversation: a second answer (another tab, a double click) gets 409."""
    manager = request.app[MANAGER]
    cid = request.match_info["conversation_id"]
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _refuse(400, 'expected a JSON object {"rating": 1-5, "comment": "..."}') from None
    rating, comment = _answer(body)
    view = await manager.view(cid)
    if view is None or not view.ended:
        raise _refuse(404, "no finished conversation with this id")
    # a later bot session (`<id>-r1`, after an agent's release) belongs to its conversation's desk entry
    conversation = re.sub(r"-r\d+$", "", cid)
    contact = await request.app[DESK].contact(conversation) if DESK in request.app else None
    if contact is not None and contact.status in OPEN:  # the bot handed it over; the agent has not closed it
        raise _refuse(404, "this conversation is still waiting for or with an agent")
    try:
        kept = await keep_first(request.app, cid, rating, comment)
    except STORE_DOWN as exc:  # the widget says 「しばらくしてから…」; the user may send it again
        log.warning("rating of %s not kept: the store does not answer: %s", cid, exc)
        raise web.HTTPServiceUnavailable(text=json.dumps({"error": "the store does not answer; try again"}),
                                         content_type="application/json", headers=CORS) from None
    if kept == "missing":
        raise _refuse(404, "this conversation has no record to rate")
    if kept == "already":
        raise _refuse(409, "this conversation has been rated already")
    count_rating(view.channel, rating)
    return web.Response(status=204, headers=CORS)


def setup(app: web.Application) -> None:
    ensure_setup(app)
    app.router.add_post(QUESTION_PATH, question)
    app.router.add_post(ANSWER_PATH, answer)
    app.router.add_get("/survey/chat/{conversation_id}", frame)
    app.router.add_post("/survey/{conversation_id}", rate)
    app.router.add_route("OPTIONS", "/survey/{conversation_id}", preflight)
