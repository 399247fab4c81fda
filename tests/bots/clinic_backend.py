"""The clinic's reservation system, as a real HTTP service the clinic bot reaches through its webhook backend.

Speaks the webhook schema of docs/deployment.md: POST {"action", "args"} -> a JSON object with `result`.
Run it by hand for `ivr serve --bot bots/clinic`: `python -m tests.bots.clinic_backend --port 8091`.
"""

from __future__ import annotations

import argparse
from datetime import date, time, timedelta
from typing import Any

from aiohttp import web

PATH = "/ivr/actions"
# 診察券番号 (6 digits, Luhn check digit) -> the patient and their next appointment
PATIENTS: dict[str, dict[str, Any]] = {
    "123455": {"name": "山田 花子", "phone": "09011112222", "appointment": ("2026-12-08", "10:00", "B0001")},
    "204818": {"name": "佐藤 太郎", "phone": "08033334444", "appointment": None},
    "314153": {"name": "鈴木 一郎", "phone": "09055556666", "appointment": ("2026-12-09", "15:30", "B0002")},
    "551234": {"name": "高橋 美咲", "phone": "09077778888", "appointment": ("2026-12-10", "09:30", "B0003")},
}
FULL_DAYS = {"2026-12-07"}  # every slot taken: the next free one is offered
MORNING, AFTERNOON = (time(9), time(12)), (time(15), time(18))


def _open(day: date, at: time) -> bool:
    if day.weekday() == 6:
        return False
    windows = [MORNING] if day.weekday() == 5 else [MORNING, AFTERNOON]
    return any(start <= at < end for start, end in windows)


def _next_free(day: date) -> tuple[str, str]:
    d = day + timedelta(days=1)
    while d.isoformat() in FULL_DAYS or d.weekday() == 6:
        d += timedelta(days=1)
    return d.isoformat(), "09:30"


class Clinic:
    def __init__(self) -> None:
        self.patients = {k: dict(v) for k, v in PATIENTS.items()}
        self.bookings = 3
        self.calls: list[dict[str, Any]] = []  # every request, for the tests to inspect

    def handle(self, action: str, args: dict[str, Any]) -> dict[str, Any]:
        patient = self.patients.get(str(args.get("patient_no", "")))
        if action == "clinic_hours":
            return {"result": "ok", "hours_ja": "平日が午前9時から12時と午後3時から6時、土曜日が午前9時から12時まで",
                    "closed_ja": "日曜日と祝日"}
        if action == "schedule_callback":
            return {"result": "ok", "callback_id": f"CB{len(self.calls):05d}"}
        if patient is None:
            return {"result": "not_found"}
        if action == "verify_patient":
            return {"result": "ok", "name": patient["name"]}
        if action == "next_appointment":
            if patient["appointment"] is None:
                return {"result": "none"}
            day, at, booking = patient["appointment"]
            return {"result": "ok", "date": day, "time": at, "booking_id": booking}
        if action == "find_slot":
            try:
                day, at = date.fromisoformat(str(args["date"])), time.fromisoformat(str(args["time"]))
            except (KeyError, ValueError):
                return {"result": "invalid"}
            if not _open(day, at):
                return {"result": "closed"}
            if day.isoformat() in FULL_DAYS:
                next_date, next_time = _next_free(day)
                return {"result": "full", "next_date": next_date, "next_time": next_time}
            return {"result": "ok"}
        if action == "book_appointment":
            self.bookings += 1
            booking = f"B{self.bookings:04d}"
            patient["appointment"] = (str(args.get("date")), str(args.get("time")), booking)
            return {"result": "ok", "booking_id": booking}
        if action == "cancel_appointment":
            if patient["appointment"] is None or patient["appointment"][2] != args.get("booking_id"):
                return {"result": "not_found"}
            patient["appointment"] = None
            return {"result": "ok"}
        return {"result": "unknown_action"}


CLINIC = web.AppKey("clinic", Clinic)


async def actions(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "expected JSON"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("action"), str) or not isinstance(body.get("args"), dict):
        return web.json_response({"error": "expected {action: str, args: object}"}, status=400)
    clinic = request.app[CLINIC]
    clinic.calls.append(body)
    return web.json_response(clinic.handle(body["action"], body["args"]))


def make_app(clinic: Clinic | None = None) -> web.Application:
    app = web.Application()
    app[CLINIC] = clinic or Clinic()
    app.router.add_post(PATH, actions)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the clinic's reservation system (a test double)")
    parser.add_argument("--port", type=int, default=8091)
    web.run_app(make_app(), host="127.0.0.1", port=parser.parse_args().port)
