"""The embedded demo backend of the sample bot サクラマート (SPEC section 3): no server needed."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable
from typing import Any

from dialogue.backends import ActionResult, UnknownAction

ORDERS: dict[str, dict[str, Any]] = {
    "12345678": {
        "phone": "09012345678",
        "status": "shipped",
        "status_ja": "配送中",
        "carrier": "ヤマト運輸",
        "item": "ワイヤレスイヤホン",
        "amount": 12800,
        "payment": "クレジットカード",
        "eta": "2026-11-25",
        "cancellable": False,
        "returnable": False,
    },
    "23456789": {
        "phone": "08098765432",
        "status": "processing",
        "status_ja": "準備中",
        "carrier": "",
        "item": "電気ケトル",
        "amount": 4980,
        "payment": "代金引換",
        "eta": "",
        "cancellable": True,
        "returnable": False,
    },
    "34567890": {
        "phone": "09012345678",
        "status": "delivered",
        "status_ja": "配達済み",
        "carrier": "ヤマト運輸",
        "item": "電気ケトル",
        "amount": 4980,
        "payment": "クレジットカード",
        "eta": "",
        "cancellable": False,
        "returnable": True,
    },
    # コンビニ払いの未入金: billing_inquiry offers a card payment by keypad (pay_balance)
    "45678901": {
        "phone": "09012345678",
        "status": "processing",
        "status_ja": "お支払い待ち",
        "carrier": "",
        "item": "電動歯ブラシ",
        "amount": 8800,
        "payment": "コンビニ払い",
        "eta": "",
        "cancellable": True,
        "returnable": False,
        "unpaid": True,
    },
}

STORES: dict[str, dict[str, Any]] = {
    "shibuya": {
        "name": "渋谷店",
        "open": "10:00",
        "close": "21:00",
        "closed_ja": "年中無休",
        "address": "東京都渋谷区道玄坂一丁目2番3号",
        "station": "JR渋谷駅ハチ公口から徒歩3分",
        "parking": "専用駐車場はございません。近隣のコインパーキングをご利用ください",
    },
    "umeda": {
        "name": "梅田店",
        "open": "10:00",
        "close": "20:00",
        "closed_ja": "毎週水曜日定休",
        "address": "大阪府大阪市北区梅田三丁目4番5号",
        "station": "JR大阪駅から徒歩5分、地下鉄梅田駅から徒歩3分",
        "parking": "提携駐車場がございます。2,000円以上のお買い上げで1時間無料です",
    },
    "sapporo": {
        "name": "札幌店",
        "open": "10:00",
        "close": "19:00",
        "closed_ja": "毎週火曜日定休",
        "address": "北海道札幌市中央区北五条西六丁目7番8号",
        "station": "JR札幌駅南口から徒歩4分",
        "parking": "店舗横に30台分の無料駐車場がございます",
    },
}

PRODUCTS: dict[str, dict[str, Any]] = {
    "earphones": {"name": "ワイヤレスイヤホン", "stock": "in_stock", "stores": ["shibuya", "umeda", "sapporo"]},
    "kettle": {"name": "電気ケトル", "stock": "out_of_stock", "restock_ja": "12月上旬", "stores": []},
    "coffee_maker": {"name": "コーヒーメーカー", "stock": "store_only", "stores": ["umeda"]},
}


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


class DemoBackend:
    """In-memory records; each instance has its own copy, so a cancellation in one test stays there."""

    def __init__(self, latency_s: float = 0.0) -> None:
        self.orders = copy.deepcopy(ORDERS)
        self.callbacks: list[dict[str, Any]] = []
        self.traces: list[str] = []
        self.latency_s = latency_s
        self._actions: dict[str, Callable[[dict[str, Any]], ActionResult]] = {
            "verify_caller": self._verify,
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
            "queue_wait": lambda args: {"result": "ok", "wait_s": 60},
        }

    def actions(self) -> frozenset[str]:
        return frozenset(self._actions)

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
        order.update(status="cancelled", status_ja="キャンセル済み", cancellable=False)
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
        order = self.orders.get(_digits(args.get("order_id")))
        if order is None:
            return {"result": "not_found"}
        if order["status"] in ("shipped", "delivered"):
            return {"result": "too_late", "status_ja": order["status_ja"]}
        order["postal_code"], order["address"] = args.get("postal_code"), args.get("address")
        return {"result": "ok"}

    def _store(self, args: dict[str, Any]) -> ActionResult:
        store = STORES.get(str(args.get("store")))
        return {"result": "ok", **store} if store else {"result": "not_found"}

    def _stock(self, args: dict[str, Any]) -> ActionResult:
        product = PRODUCTS.get(str(args.get("product")))
        if product is None:
            return {"result": "not_found"}
        stores = "、".join(STORES[s]["name"] for s in product["stores"])
        return {"result": product["stock"], "name": product["name"], "stores_ja": stores,
                "restock_ja": product.get("restock_ja", "")}

    def _password_reset(self, args: dict[str, Any]) -> ActionResult:
        phone = _digits(args.get("phone"))
        known = {o["phone"] for o in self.orders.values()}
        return {"result": "ok" if phone in known else "not_found"}

    def _callback(self, args: dict[str, Any]) -> ActionResult:
        request = {k: str(v) for k, v in args.items()}
        self.callbacks.append(request)
        return {"result": "ok", "callback_id": f"CB{len(self.callbacks):05d}"}
