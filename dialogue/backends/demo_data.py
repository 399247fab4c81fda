"""The records of the demo backend (orders, stores, products) as a bot's YAML file, `demo_data.yaml`.

A company trying the engine edits this file, not Python: `backend: demo` in `bot.yaml` reads the
`demo_data.yaml` next to it (or `backend: {demo: PATH}`). Problems come back as `file:line:col: message`
like every designer file, at `ivr validate`, `ivr serve`, `ivr test` and `ivr chat` start-up.
The format is in docs/deployment.md (section 4, `backend: demo`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from ruamel.yaml.comments import CommentedMap

from dialogue.yaml_source import SourceError, at, read_yaml, validate

DEMO_DATA_FILE = "demo_data.yaml"  # `backend: demo` reads this file of the bot's directory

# the values the demo's flows branch on (order_status: `switch: order.status`; product_availability: `cases:`)
OrderStatus = Literal["processing", "shipped", "delivered", "cancelled"]
Stock = Literal["in_stock", "out_of_stock", "store_only"]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # a store's weekly closing days

_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_QUOTE = "write it in quotes ('{v}'): unquoted, YAML reads it as a number and drops any leading 0"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Order(_Strict):
    phone: str  # the customer's phone number: verification by the number said or by the caller id
    status: OrderStatus
    status_ja: str = Field(min_length=1)  # how the bot says the status (「配送中」)
    carrier: str = ""
    item: str = Field(min_length=1)
    amount: int = Field(ge=0)  # yen
    payment: str = Field(min_length=1)  # 「クレジットカード」「代金引換」「コンビニ払い」
    eta: str = ""  # expected delivery date, YYYY-MM-DD; "" when not shipped
    cancellable: bool
    returnable: bool
    unpaid: bool | None = None  # true: billing_inquiry offers to pay by card on the keypad (pay_balance)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            raise ValueError(_QUOTE.format(v=f"0{v}"))
        if isinstance(v, str):
            digits = re.sub(r"[-\s]", "", v)
            if not re.fullmatch(r"0\d{9,10}", digits):
                raise ValueError(
                    f"{v!r} is not a Japanese phone number (10 or 11 digits from 0, e.g. '09012345678')"
                )
            return digits
        return v

    @field_validator("eta", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if v is None:
            return ""
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):  # an unquoted 2026-11-25 is a date
            return v.isoformat()
        if isinstance(v, str) and v:
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                    return dt.date.fromisoformat(v).isoformat()
            except ValueError:
                pass
            raise ValueError(f"{v!r} is not a date (YYYY-MM-DD, e.g. 2026-11-25)")
        return v

    def record(self) -> dict[str, Any]:
        """The order as the backend keeps and answers it (`unpaid` only where the file gives it)."""
        return self.model_dump(exclude_none=True)


class Closure(_Strict):
    """Days a store is shut every year (the year-end break): month-day `start` to `end`, which may wrap over
    the new year (12-31 to 01-03); `name_ja` is how the bot says why (「年末年始」)."""

    start: str  # MM-DD
    end: str  # MM-DD
    name_ja: str = Field(min_length=1)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month_day(cls, v: Any) -> Any:
        if isinstance(v, str) and re.fullmatch(r"\d{2}-\d{2}", v):
            try:
                dt.date.fromisoformat(f"2000-{v}")  # a leap year: 02-29 is a day
                return v
            except ValueError:
                pass
        if isinstance(v, str | int):
            raise ValueError(f"{v!r} is not a month and day (MM-DD in quotes, e.g. '12-31')")
        return v


class Store(_Strict):
    name: str = Field(min_length=1)  # 「渋谷店」
    open: str  # HH:MM
    close: str  # HH:MM
    closed_ja: str = Field(min_length=1)  # closing days as said (「年中無休」「毎週水曜日定休」)
    address: str = Field(min_length=1)
    station: str = Field(min_length=1)  # how to get there (「JR渋谷駅ハチ公口から徒歩3分」)
    parking: str = Field(min_length=1)
    # optional, for 「明日やってますか」: the days it is shut (the flow answers for the day the caller names)
    closed_weekdays: list[Weekday] = Field(default_factory=list)  # [wed]: 毎週水曜日定休
    holidays: Literal["open", "closed"] = "open"  # national and substitute holidays (jpholiday)
    closures: list[Closure] = Field(default_factory=list)  # the year-end break

    @field_validator("open", "close", mode="before")
    @classmethod
    def _time(cls, v: Any) -> Any:
        if isinstance(v, str) and not _HH_MM.match(v):
            raise ValueError(f"{v!r} is not a time of day (HH:MM, e.g. 10:00)")
        if isinstance(v, int) and not isinstance(v, bool):
            raise ValueError(f"{v} is not a time of day (HH:MM, e.g. 10:00)")
        return v


class Product(_Strict):
    name: str = Field(min_length=1)
    stock: Stock
    stores: list[str] = Field(default_factory=list)  # keys of `stores:` that have it
    restock_ja: str = ""  # out_of_stock: when it comes back (「12月上旬」)


class DemoData(_Strict):
    """The whole file. Order numbers and phone numbers are written in quotes (they may start with 0)."""

    orders: dict[str, Order] = Field(default_factory=dict)  # order number (digits) -> order
    stores: dict[str, Store] = Field(default_factory=dict)  # store key (the `store` entity's value) -> store
    products: dict[str, Product] = Field(default_factory=dict)  # product key (the `product` entity's value)
    cancelled_status_ja: str = Field(default="キャンセル済み", min_length=1)  # status_ja after cancel_order
    queue_wait_s: int = Field(default=60, ge=0)  # the `queue_wait` action's answer


_CACHE: dict[Path, tuple[bytes, DemoData]] = {}


def load_demo_data(path: Path) -> DemoData:
    """Read and check a demo data file; SourceError with every problem as `file:line:col: message`.
    Parsed once per content of the file (a conversation suite builds a fresh backend for every case)."""
    try:
        digest = hashlib.sha256(path.read_bytes()).digest()
    except OSError as exc:
        raise SourceError([f"{path}:1:1: cannot read the demo data file: {exc.strerror or exc}"]) from exc
    key = path.resolve()
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == digest:
        return cached[1]
    raw = read_yaml(path)
    if raw is None:
        raw = CommentedMap()  # an empty file: no records yet
    problems = _keys(path, raw)
    try:
        data = validate(path, raw, DemoData)
    except SourceError as exc:
        # a key already reported (an unquoted order number) is not reported again in pydantic's words
        spots = {_spot(p) for p in problems}
        raise SourceError(problems + [p for p in exc.problems if _spot(p) not in spots]) from exc
    problems += _references(path, raw, data)
    if problems:
        raise SourceError(problems)
    _CACHE[key] = (digest, data)
    return data


def _spot(problem: str) -> str:
    return problem.split(": ", 1)[0]


def _keys(path: Path, raw: Any) -> list[str]:
    """Order numbers are digits in quotes; store and product keys are words (what the NLU's entity gives)."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        return problems  # validate() says the file must be a mapping
    orders = raw.get("orders")
    if isinstance(orders, Mapping):
        for key in orders:
            if isinstance(key, int) and not isinstance(key, bool):
                problems.append(
                    at(path, raw, ["orders", key], f"orders: order number {key}: {_QUOTE.format(v=key)}")
                )
            elif not isinstance(key, str) or not key.isdigit() or not key.isascii():
                problems.append(
                    at(
                        path,
                        raw,
                        ["orders", key],
                        f"orders: {key!r} is not an order number "
                        "(digits, as the caller says or keys them in, e.g. '12345678')",
                    )
                )
    for section in ("stores", "products"):
        part = raw.get(section)
        if isinstance(part, Mapping):
            for key in part:
                if not isinstance(key, str):
                    problems.append(
                        at(
                            path,
                            raw,
                            [section, key],
                            f"{section}: {key!r}: a key is a word "
                            "(the value the NLU gives for it, e.g. shibuya)",
                        )
                    )
    return problems


def _references(path: Path, raw: Any, data: DemoData) -> list[str]:
    problems: list[str] = []
    for key, product in data.products.items():
        for i, store in enumerate(product.stores):
            if store not in data.stores:
                known = ", ".join(data.stores) or "none"
                problems.append(
                    at(
                        path,
                        raw,
                        ["products", key, "stores", i],
                        f"products: {key}: no store {store!r} under stores: (known: {known})",
                        value=True,
                    )
                )
        if product.stock == "store_only" and not product.stores:
            problems.append(
                at(
                    path,
                    raw,
                    ["products", key, "stock"],
                    f"products: {key}: store_only needs the stores that have it (stores: [...])",
                    value=True,
                )
            )
    return problems
