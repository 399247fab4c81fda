"""The embedded demo backend (SPEC section 3): an order system in memory, no server needed.

Its records (orders, stores, products) are the bot's data, `demo_data.yaml` (dialogue/backends/demo_data.py
reads and checks it); this module holds only what the actions do with them.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import jaconv

from dialogue.backends import ActionResult, UnknownAction
from dialogue.backends.demo_data import DEMO_DATA_FILE, DemoData, load_demo_data
from dialogue.yaml_source import REPO_ROOT

SAMPLE_DATA = REPO_ROOT / DEMO_DATA_FILE  # the sample bot's records (the repository root is its directory)


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


# an order named by where it is: arrived (「届いた方」「こないだ来たやつ」) or not yet (「まだ来てない方」「届いてないほう」)
_STATE_NAMED = re.compile(
    r"(?P<waiting>まだ[^、。]{0,6}?(来|き|こ|届|とど|着|つ)[^、。]{0,4}?(ない|ません|へん|ん(?:ほう|方))|(届|とど|来|き|こ)(いて|て)(い)?ない)"
    r"|(?P<delivered>(届|とど|着|つ)いた|(届|とど)いてる|来た(?!い)|きた(ほう|方|やつ)|配達済|はいたつずみ)")


def _folded(text: str) -> str:
    """Width, long vowels, pauses and hiragana folded: 「けとるのほう」 finds 電気ケトル."""
    return str(jaconv.hira2kata(re.sub(r"[\s、。,.・ー-]", "", unicodedata.normalize("NFKC", text))))


def _shared_run(a: str, b: str) -> int:
    """Length of the longest run of characters a and b share."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


class DemoBackend:
    """In-memory records; each instance has its own copy, so a cancellation in one test stays there.
    `data` is a bot's demo data file, read and checked (`load_demo_data`); by default the sample bot's."""

    def __init__(self, data: DemoData | None = None, *, latency_s: float = 0.0, source: Path | None = None) -> None:
        self.data = data if data is not None else load_demo_data(SAMPLE_DATA)
        # the file the records came from, which hot reload watches (ivr/hot_reload.py); None: given in code
        self.source = source if data is not None else SAMPLE_DATA
        self.orders = {order_id: order.record() for order_id, order in self.data.orders.items()}
        self.callbacks: list[dict[str, Any]] = []
        self.traces: list[str] = []
        # members' registered addresses changed by calls, by their registered phone (change_address)
        self.registered_addresses: dict[str, tuple[Any, Any]] = {}
        self.latency_s = latency_s
        self._actions: dict[str, Callable[[dict[str, Any]], ActionResult]] = {
            "verify_caller": self._verify,
            "find_orders": self._find_orders,
            "order_status": self._order,
            "change_delivery": self._change_delivery,
            "request_delivery_trace": self._trace,
            "cancel_order": self._cancel,
            "create_return": self._return,
            "change_address": self._change_address,
            "store_info": self._store,
            "product_stock": self._stock,
            "send_password_reset": self._password_reset,
            "schedule_callback": self._callback,
            "queue_wait": lambda args: {"result": "ok", "wait_s": self.data.queue_wait_s},
        }

    def actions(self) -> frozenset[str]:
        return frozenset(self._actions)

    def reload(self, data: DemoData) -> None:
        """The edited file's records from now on (hot reload); what calls changed in memory starts afresh."""
        self.data = data
        self.orders = {order_id: order.record() for order_id, order in data.orders.items()}

    async def call(self, action: str, args: dict[str, Any]) -> ActionResult:
        fn = self._actions.get(action)
        if fn is None:
            raise UnknownAction(f"demo backend has no action '{action}'")
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return fn(args)

    def _verify(self, args: dict[str, Any]) -> ActionResult:
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        for by, phone in (("phone", _digits(args.get("phone"))), ("ani", _digits(args.get("caller_phone")))):
            if phone and phone == order["phone"]:
                return {"result": "ok", "by": by}
        return {"result": "mismatch" if _digits(args.get("phone")) else "need_phone"}

    def _find_orders(self, args: dict[str, Any]) -> ActionResult:
        """The orders of the phone the caller rings from, for a caller without the order number (SPEC 3: the
        caller id verifies). With `choice` (what the caller said at 「どちらのご注文でしょうか」) or an
        `order_id` among them, the one meant."""
        phone = _digits(args.get("caller_phone"))
        if not phone:
            return {"result": "no_phone"}
        # `except`: the order just served (「もう一つの注文は？」): the caller's others
        served = _digits(args.get("except"))
        mine = {oid: o for oid, o in self.orders.items() if o["phone"] == phone and oid != served}
        if not mine:
            return {"result": "not_found"}
        items_ja = "、".join(dict.fromkeys(o["item"] for o in mine.values()))
        picked = self._picked(mine, _digits(args.get("order_id")), str(args.get("choice") or ""))
        if picked is None and len(mine) > 1:
            return {"result": "no_match" if args.get("choice") else "several", "count": len(mine), "items_ja": items_ja}
        order_id = picked or next(iter(mine))
        order = mine[order_id]
        return {"result": "one", "order_id": order_id, "item": order["item"], "status_ja": order["status_ja"]}

    @staticmethod
    def _picked(mine: dict[str, dict[str, Any]], order_id: str, choice: str) -> str | None:
        """The order a caller means: its number, or the item named (the longest shared run of at least three
        characters, or the whole name; one order only)."""
        if order_id in mine:
            return order_id
        if order_id := next((oid for oid in mine if oid in _digits(choice)), ""):
            return order_id
        said = _folded(choice)
        if not said:
            return None
        if (state := _STATE_NAMED.search(choice)) is not None:
            # 「届いた方です」「まだ来てない方」: the order picked by where it is, where only one is there
            delivered = state.group("delivered") is not None
            by_state = [oid for oid, o in mine.items() if (o["status"] == "delivered") == delivered]
            if len(by_state) == 1:
                return by_state[0]
        runs = {oid: _shared_run(_folded(o["item"]), said) for oid, o in mine.items()}
        fits = {oid: n for oid, n in runs.items() if n >= min(3, len(_folded(mine[oid]["item"])))}
        best = max(fits.values(), default=0)
        chosen = [oid for oid, n in fits.items() if n == best]
        return chosen[0] if len(chosen) == 1 else None

    def _order(self, args: dict[str, Any]) -> ActionResult:
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        return {"result": "ok", **{k: v for k, v in order.items() if k != "phone"}}

    def _change_delivery(self, args: dict[str, Any]) -> ActionResult:
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        if order["status"] == "delivered":
            return {"result": "already_delivered"}
        order["delivery_date"], order["delivery_time"] = args.get("date"), args.get("time")
        return {"result": "ok"}

    def _trace(self, args: dict[str, Any]) -> ActionResult:
        """Ask the carrier to trace a late parcel (配送調査): the answer goes out by e-mail."""
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        self.traces.append(_digits(args.get("order_id")))
        return {"result": "ok", "trace_id": f"TR{len(self.traces):05d}"}

    def _cancel(self, args: dict[str, Any]) -> ActionResult:
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        if not order["cancellable"]:
            return {"result": "not_cancellable", "status_ja": order["status_ja"]}
        order.update(status="cancelled", status_ja=self.data.cancelled_status_ja, cancellable=False)
        return {"result": "ok"}

    def _return(self, args: dict[str, Any]) -> ActionResult:
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        if not order["returnable"]:
            return {"result": "not_returnable", "status_ja": order["status_ja"]}
        order["returnable"] = False
        return {"result": "ok", "return_id": "R" + _digits(args.get("order_id"))[-6:]}

    def _change_address(self, args: dict[str, Any]) -> ActionResult:
        """The order's delivery address (before it ships), or with `scope: registered` the address registered
        to the member who placed it, for the orders to come (whatever this order's state)."""
        if args.get("scope") == "registered":
            member = self._member(args)
            if member is None:
                return {"result": "not_found"}
            self.registered_addresses[member] = (args.get("postal_code"), args.get("address"))
            return {"result": "ok"}
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        if order["status"] in ("shipped", "delivered"):
            return {"result": "too_late", "status_ja": order["status_ja"]}
        order["postal_code"], order["address"] = args.get("postal_code"), args.get("address")
        return {"result": "ok"}

    def _member(self, args: dict[str, Any]) -> str | None:
        """The registered phone of the member meant: the order's, else a phone said or calling that some order
        is registered to (SPEC 3: the phone identifies)."""
        order = self.orders.get(_digits(args.get("order_id")))
        if order is not None:
            return str(order["phone"])
        phones = {str(o["phone"]) for o in self.orders.values()}
        return next((p for p in (_digits(args.get("phone")), _digits(args.get("caller_phone"))) if p in phones), None)

    def _store(self, args: dict[str, Any]) -> ActionResult:
        store = self.data.stores.get(str(args.get("store")))
        return {"result": "ok", **store.model_dump()} if store else {"result": "not_found"}

    def _stock(self, args: dict[str, Any]) -> ActionResult:
        product = self.data.products.get(str(args.get("product")))
        if product is None:
            return {"result": "not_found"}
        stores = "、".join(self.data.stores[s].name for s in product.stores)
        found = {"result": product.stock, "name": product.name, "stores_ja": stores, "restock_ja": product.restock_ja}
        key = str(args.get("store") or "")
        store = self.data.stores.get(key)
        if store is None or product.stock == "out_of_stock":
            return found  # no store named (or one we do not have): where it can be had; sold out is sold out
        return {**found, "result": "at_store" if key in product.stores else "not_at_store", "store_ja": store.name}

    def _password_reset(self, args: dict[str, Any]) -> ActionResult:
        phone = _digits(args.get("phone"))
        known = {o["phone"] for o in self.orders.values()}
        return {"result": "ok" if phone in known else "not_found"}

    def _callback(self, args: dict[str, Any]) -> ActionResult:
        request = {k: str(v) for k, v in args.items()}
        self.callbacks.append(request)
        return {"result": "ok", "callback_id": f"CB{len(self.callbacks):05d}"}
