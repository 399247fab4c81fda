"""A sender a supervisor flagged for harassment is routed to the supervisor queue by e-mail too (issue 13),
as a flagged caller is on the phone and in the chat; an unflagged sender goes where the bot sends them."""

from __future__ import annotations

from email.message import EmailMessage

from dialogue.crm import Customers
from dialogue.engine import DialogueManager
from dialogue.records import records
from tests.outreach.conftest import SUPPORT, MailRig


def _asking_for_a_person(sender: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = "問い合わせ"
    msg["Message-ID"] = message_id
    msg.set_content("注文の件で、担当の方と直接お話しさせてください。\n")
    return msg


async def test_a_flagged_sender_goes_to_the_supervisor_queue(rig: MailRig, manager: DialogueManager) -> None:
    customers = Customers(manager.store, rig.agents)
    manager.customers = customers  # as ivr/customer_api.py wires it in the server
    await customers.set_flag("kenji@example.com", True, "sam", "暴言が続いたため")

    await rig.send(_asking_for_a_person("Kenji Suzuki <Kenji@Example.com>", "<f1@example.com>"),
                   sender="Kenji@Example.com")  # the same customer, however the address is capitalised
    [waiting] = await rig.agents.waiting()
    assert waiting.channel == "email" and waiting.queue == "supervisor" and waiting.priority >= 7
    [record] = await records(manager.store)
    assert record["queue"] == "supervisor" and record["caller"] == "kenji@example.com"


async def test_an_unflagged_sender_is_not(rig: MailRig, manager: DialogueManager) -> None:
    customers = Customers(manager.store, rig.agents)
    manager.customers = customers
    await customers.set_flag("someone-else@example.com", True, "sam")

    await rig.send(_asking_for_a_person("kenji@example.com", "<f2@example.com>"), sender="kenji@example.com")
    [waiting] = await rig.agents.waiting()
    assert waiting.queue != "supervisor"
    [record] = await records(manager.store)
    assert record["queue"] == waiting.queue
