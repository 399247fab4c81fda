"""English callers are served in English (issue 14): entities said in English, yes/no and command words,
English prompts with English values, and the language a call is in reaching the voice channel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dialogue import answer_words as words
from dialogue.api import BotReply, CallerInfo, InputSpec, SessionStart, UserTurn
from dialogue.bot import load_bot
from dialogue.factory import build_manager
from dialogue.prompts import load_prompts
from ivr.voice_common import VoiceConfig
from ivr.voice_twilio import render
from nlu.entities.english import english_entities
from nlu.language import detect_language
from nlu.normalize import normalize
from nlu.pipeline import NLU

MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _entities(text: str) -> set[tuple[str, str]]:
    return {(e.type, str(e.value)) for e in english_entities(normalize(text), MONDAY)}


@pytest.mark.parametrize(("text", "expected"), [
    ("my order number is one two three four five six seven eight", {("order_id", "12345678")}),
    ("it's 1234 5678", {("order_id", "12345678")}),
    ("oh nine oh, one two three four, five six seven eight", {("phone_number", "09012345678")}),
    ("zero nine zero double one two three four five six seven", {("phone_number", "09011234567")}),
    ("090-1234-5678", {("phone_number", "09012345678")}),
    ("tomorrow morning please", {("date", "2026-12-08"), ("time_window", "08:00-12:00")}),
    ("next Monday between 2 and 4", {("date", "2026-12-14"), ("time_window", "14:00-16:00")}),
    ("on Friday evening", {("date", "2026-12-11"), ("time_window", "18:00-21:00")}),
    ("December 10th in the afternoon", {("date", "2026-12-10"), ("time_window", "14:00-16:00")}),
    ("the 10th of December", {("date", "2026-12-10")}),
    ("the 3rd", {("date", "2027-01-03")}),  # the 3rd of this month has passed: next month's
    ("the day after tomorrow", {("date", "2026-12-09")}),
    ("7 to 9", {("time_window", "19:00-21:00")}),
    ("from 14 to 16", {("time_window", "14:00-16:00")}),
    ("at 3 pm", {("time", "15:00")}),
    ("3 in the afternoon", {("time", "15:00")}),
    ("is the kettle in stock at Shibuya", {("product", "kettle"), ("store", "shibuya")}),
    ("do you have coffee makers in Umeda", {("product", "coffee_maker"), ("store", "umeda")}),
    ("oh I see, one more thing", set()),  # "oh" and "one" are digits only inside a number
    # a day or slot the caller cannot take is not the one asked for (dev15: 「明日は家にいない」 in English)
    ("Hi, I won't be home tomorrow. Can I change my delivery?", set()),
    ("I'm not home tomorrow, can you deliver on Friday?", {("date", "2026-12-11")}),
    ("nobody will be in on Saturday morning", set()),
    ("I can't be home tomorrow", set()),
    ("tomorrow doesn't work for me", set()),
    ("I'll be away tomorrow so deliver it on Wednesday", {("date", "2026-12-09")}),
    ("can you deliver tomorrow", {("date", "2026-12-08")}),
    ("tomorrow is fine", {("date", "2026-12-08")}),
])
def test_english_entities(text: str, expected: set[tuple[str, str]]) -> None:
    assert _entities(text) == expected


def test_entity_spans_point_into_the_original_text() -> None:
    text = "Order one two three four five six seven eight please"
    (entity,) = english_entities(normalize(text), MONDAY)
    assert text[entity.start:entity.end] == "one two three four five six seven eight"


def test_the_pipeline_reads_english_entities_for_lines_not_in_japanese(nlu: NLU) -> None:
    for name, store in (("Umeda", "umeda"), ("Shibuya", "shibuya")):  # lingua: Indonesian, Tagalog
        assert ("store", store) in {(e.type, e.value) for e in nlu.parse(name, MONDAY).entities}
    english = nlu.parse("tomorrow afternoon please", MONDAY)
    assert english.language == "en"
    assert {(e.type, e.value) for e in english.entities} == {("date", "2026-12-08"), ("time_window", "14:00-16:00")}
    japanese = nlu.parse("明日の午後でお願いします", MONDAY)
    assert ("date", "2026-12-08") in {(e.type, e.value) for e in japanese.entities}


@pytest.mark.parametrize(("text", "yes", "no"), [
    ("yes", True, False), ("Yeah, that's right", True, False), ("sure", True, False), ("yep", True, False),
    ("that’s correct", True, False), ("no", False, True), ("nope", False, True), ("not really", False, True),
    ("no, that's wrong", False, True), ("はい", True, False), ("いいえ", False, True),
])
def test_english_yes_and_no(text: str, yes: bool, no: bool) -> None:
    assert bool(words.YES.match(text)) is yes
    assert bool(words.NO.match(text)) is no


def test_english_commands_and_closings() -> None:
    assert words.only_repeat("sorry, could you repeat that")
    assert words.only_repeat("Pardon?")
    assert not words.only_repeat("could you repeat my order number and the date")
    assert words.only_start_over("let's start over")
    assert words.only_hesitation("hold on, let me check")
    assert words.FINISHED.search("no that's all thanks")
    assert words.CLEAR_GOODBYE.search("ok bye")
    assert words.REFUSAL.search("no thanks, I'll call again")
    assert words.DONT_KNOW.search("I don't have it with me")
    assert not words.YES.match("I want to cancel")


def test_english_prompts_cover_the_routine_flows_and_render_english_values() -> None:
    book = load_prompts()
    japanese_only = ("summary_topic_", "term_", "transfer_language", "language_closed", "repeat_wrapper",
                     "faq_answer", "fallback_missing_prompt")
    for key in load_prompts().templates:
        if key.startswith(("label_", "ask_", "confirm_", "order_", "stock_", "store_", "transfer_", "callback_")) \
                and not key.startswith(japanese_only) and not key.endswith("_en") and "_" in key:
            if key.rsplit("_", 1)[1] in ("zh", "ko", "vi", "pt", "es", "tl", "id", "th", "fr", "ru", "de"):
                continue
            assert book.has(f"{key}_en"), key
    values = {"date": "2026-12-08", "time_window": "14:00-16:00"}
    assert book.render("confirm_delivery_change_en", "chat", values).text == (
        "Shall I change the delivery to Tuesday, December 8, between 2 and 4 p.m.?")
    stock = book.render("stock_out_en", "chat", {"stock": {"name": "電気ケトル", "restock_ja": "12月上旬"}}).text
    assert stock == ("I'm sorry, the electric kettle is out of stock at the moment. "
                     "We expect to have it again in early December.")
    info = {"name": "梅田店", "open": "10:00", "close": "20:00"}
    open_day = book.render("store_day_open_en", "chat", {"date": "2026-12-12", "store_info": info}).text
    assert open_day == "On Saturday, December 12, the Umeda store is open from 10 a.m. to 8 p.m."  # not "p.m.."
    voice = book.render("ask_order_id_en", "voice", {})
    assert voice.ssml is not None and 'xml:lang="en-US"' in voice.ssml
    assert 'xml:lang="ja-JP"' in (book.render("ask_order_id", "voice", {}).ssml or "")


def test_plain_english_is_clear_enough_to_switch_and_digits_do_not_switch_back() -> None:
    for text in ("where is your store", "can I speak to a real person please", "in the morning"):
        guess = detect_language(text)
        assert guess.code == "en" and guess.confidence >= 0.9, text
    assert detect_language("12345678").confidence < 0.9  # a foreign caller's order number stays in their language


async def test_an_english_call_tells_the_channel_its_language(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu)
    sid, reply = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=MONDAY))
    assert reply.language == "ja" and reply.expect.language == "ja"
    reply = await manager.handle(sid, UserTurn(text="Hello, can you help me with my order please"))
    assert reply.language == "en" and reply.expect.language == "en"


async def test_a_name_or_address_in_romaji_changes_no_language(nlu: NLU) -> None:
    """Proper nouns look like any Latin language to lingua (「Tanaka Hanako」 reads as Tagalog): at a free-text
    slot they never send a caller to the languages queue."""
    manager = build_manager(nlu=nlu)
    sid, _ = await manager.start(SessionStart(channel="chat", caller=CallerInfo(phone="08098765432"), now=MONDAY))
    for turn in (UserTurn(text="届け先の住所を変更したいんですが"), UserTurn(dtmf="23456789"), UserTurn(dtmf="1500043")):
        await manager.handle(sid, turn)
    state = await manager.state(sid)
    assert state is not None and getattr(state.awaiting, "slot", None) == "address"
    reply = await manager.handle(sid, UserTurn(text="2-1-1 Dogenzaka Shibuya"))
    state = await manager.state(sid)
    assert state is not None and state.language == "ja" and state.reason != "language"
    assert "Dogenzaka" in reply.text and "よろしいでしょうか" in reply.text


def test_twilio_listens_and_speaks_english_for_an_english_call() -> None:
    book = load_prompts()
    english = BotReply((book.render("ask_order_id_en", "voice", {}),), InputSpec("slot:order_id", language="en"),
                       language="en")
    twiml = render(english, VoiceConfig(), nonce="n")
    assert 'language="en-US"' in twiml.split("<Say")[0]  # the <Gather> recognises English
    assert '<Say language="en-US" voice="Polly.Joanna">' in twiml
    japanese = BotReply((book.render("ask_order_id", "voice", {}),), InputSpec("slot:order_id"))
    twiml = render(japanese, VoiceConfig(), nonce="n")
    assert 'language="ja-JP"' in twiml.split("<Say")[0] and '<Say language="ja-JP" voice="Polly.Mizuki">' in twiml


@pytest.mark.parametrize("answer", ["this friday", "this evening", "this week", "friday please", "the 27th"])
def test_a_short_english_answer_is_not_anger(nlu: NLU, answer: str) -> None:
    emotion = nlu.parse(answer).emotion
    assert emotion.label != "anger", emotion


@pytest.mark.parametrize("angry", ["this is ridiculous", "I'm so angry, this is the third time I call",
                                   "you idiot", "this is unacceptable", "I'm fed up with this"])
def test_english_anger_is_still_heard(nlu: NLU, angry: str) -> None:
    parse = nlu.parse(angry)
    assert parse.emotion.label == "anger" or parse.harassment.detected


@pytest.mark.parametrize("asks", ["Can I speak to a real person, please?",
                                  "My parcel is three weeks late and nobody answers my emails. I want to complain."])
async def test_an_english_caller_who_needs_a_person_reaches_agents_who_speak_english(nlu: NLU, asks: str) -> None:
    """escalation_rules/queues.yaml: the languages queue lists en; the operator request names the general
    queue and the complaint the complaints queue, whose agents speak Japanese only."""
    manager = build_manager(nlu=nlu)
    sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=MONDAY))
    reply = await manager.handle(sid, UserTurn(text=asks))
    assert reply.handover is not None and reply.handover.queue == "languages", reply


async def test_a_japanese_caller_who_asks_for_a_person_goes_to_the_general_queue(nlu: NLU) -> None:
    manager = build_manager(nlu=nlu)
    sid, _ = await manager.start(SessionStart(channel="voice", caller=CallerInfo(phone="09012345678"), now=MONDAY))
    reply = await manager.handle(sid, UserTurn(text="担当の方とお話ししたいです"))
    assert reply.handover is not None and reply.handover.queue == "general", reply


# dev56: an English caller's question about shipping, payment or a receipt went to the billing flow (「Could you
# enter your eight-digit order number」); the knowledge base answers it in English (faq/*.yaml `en`)
@pytest.mark.parametrize(
    ("question", "entry", "said"),
    [("How much do you charge for shipping? Is it free if I spend over a certain amount?", "free_shipping", "5,000 yen"),
     ("I don't have a credit card. Can I pay cash when the package arrives? Is there an extra fee for that?", "cod_fee",
      "330 yen"),
     ("Hi, my company needs a 領収書 for something I bought online. Where can I get one?", "receipt", "order history"),
     ("The item was broken, do I have to pay to send it back?", "return_shipping_defect", "defective")],
)
def test_english_questions_get_the_english_answer(question: str, entry: str, said: str) -> None:
    hit = load_bot().faq.match(question)
    assert hit is not None and hit.entry.id == entry
    assert said in hit.answer("chat") and hit.answer("chat").isascii()


@pytest.mark.parametrize("request_", ["Where is my order?", "I want to cancel my order", "I'd like to return my kettle",
                                      "Can I change my delivery date?"])
def test_english_requests_are_no_knowledge_base_questions(request_: str) -> None:
    assert load_bot().faq.match(request_) is None
