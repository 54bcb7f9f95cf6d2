"""A patient's browser for `bench/peer_http.py`: one HTTP client (http.client, a cookie jar,
redirects followed by hand and counted) and the two booking flows it walks, ours and the peer's.

Each flow is one fresh patient booking one given slot. Its requests are timed one by one; a
booking's time is the sum of the timed requests (what the patient waits for, without the
client's own parsing or the peer's verification code being looked up, which stand for the
patient's reading and typing). Any answer other than the one a working site gives (status and
where it redirects to) raises `FlowError`, and the booking counts as failed.

- ours, "booking" (slot chosen → booked): GET /book/details/?length&therapist&start (the form,
  after the patient picks a time), POST /book/details/ → 302 to /book/confirmed/<token>/;
- ours, "whole flow": GET /book/, /book/day/, /book/time/ (the chosen time must be among those
  offered), then the booking, then GET the confirmation;
- the peer, "booking": POST /appointment/request-submit/ (the slot picked on its page) → 302,
  GET client-info, POST client-info (a new email: it creates the user and emails a code) → 302,
  GET verification-code, POST the code → 302 to the thank-you page (only then is the
  `Appointment` row written). Its page is fetched first, untimed, for the CSRF cookie;
- the peer, "whole flow": GET its page, its two JSON calls for the chosen staff member (working
  days, the day's slots: the chosen time must be among them), the booking, GET thank-you.
Static files and the CDN scripts the peer's page loads are fetched by neither.
"""

from __future__ import annotations

import http.client
import time
from html.parser import HTMLParser
from urllib.parse import urlencode

from bench.public import bench_phone, panel_times

# Our patients' phones start past those of bench/http_prepare.py's forms (bench_phone(n) there).
PHONE_OFFSET = 50000


class FlowError(Exception):
    pass


class _Inputs(HTMLParser):
    """Hidden inputs of a page (the CSRF token, our one-time token and the chosen slot)."""

    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(html)
    return parser.hidden


def step_name(path: str) -> str:
    """A request's path without its ids and query, to name the step (`/appointment/client-info/`)."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    return "/" + "/".join(parts[: 3 if parts[1:2] == ["ajax"] else 2]) + "/"


class Browser:
    """One patient's browser: its own cookies, one connection to one site, every request timed."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.timed = 0.0
        self.requests = 0
        self.steps: list[tuple[str, float]] = []

    def fresh(self) -> None:
        """A new patient: no cookies, nothing timed yet."""
        self.cookies.clear()
        self.timed = 0.0
        self.requests = 0
        self.steps = []

    def call(self, method: str, path: str, *, form: dict | None = None, headers=None, timed=True):
        head = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body, head)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException):
            # gunicorn's sync workers close every connection; a reset one is opened again.
            self.connection.close()
            self.connection.request(method, path, body, head)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        if timed:
            took = time.perf_counter() - started
            self.timed += took
            self.requests += 1
            self.steps.append((f"{method} {step_name(path)}", took * 1000))
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair, _, attributes = value.partition(";")
                key, _, val = pair.partition("=")
                if val in ("", '""') or "max-age=0" in attributes.lower():
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val
        if response.will_close:
            self.connection.close()
        return response.status, response.getheader("Location") or "", text


def expect(answer, status: int, location_prefix: str = "") -> tuple:
    got, location, text = answer
    if got != status or not location.startswith(location_prefix):
        raise FlowError(f"wanted {status} {location_prefix!r}, got {got} {location!r}: {text[:200]!r}")
    return answer


def ours(browser: Browser, slot: dict, n: int, *, whole: bool) -> None:
    """Our flow for one new patient (see the module's docstring)."""
    query = f"length={slot['length']}&therapist={slot['therapist']}"
    if whole:
        expect(browser.call("GET", "/book/"), 200)
        expect(browser.call("GET", f"/book/day/?{query}"), 200)
        _, _, html = expect(browser.call("GET", f"/book/time/?{query}&day={slot['day']}"), 200)
        if slot["time"] not in [t.strftime("%H:%M") for t in panel_times(html)]:
            raise FlowError(f"{slot} is not offered on our time page")
    start = f"{slot['day']}T{slot['time']}"
    _, _, html = expect(browser.call("GET", f"/book/details/?{query}&start={start}"), 200)
    form = hidden_inputs(html)
    if "token" not in form or "csrfmiddlewaretoken" not in form:
        raise FlowError(f"our details page has no booking form for {slot}: {html[:300]!r}")
    # What the patient types and ticks (as bench/public.py `booking_form`).
    form |= {
        "name": "Bench Patient",
        "phone": bench_phone(PHONE_OFFSET + n),
        "email": f"patient{n}@example.com",
        "note": "",
        "none_apply": "on",
        "consent_health": "on",
        "consent_privacy": "on",
        "consent_cancellation": "on",
        "website": "",
    }
    _, location, _ = expect(browser.call("POST", "/book/details/", form=form), 302, "/book/confirmed/")
    if whole:
        expect(browser.call("GET", location), 200)


def peer(browser: Browser, slot: dict, n: int, *, whole: bool, code_for) -> None:
    """The peer's flow for one new patient (see the module's docstring). `code_for(email)` reads
    the verification code the peer emailed (from its table, as the patient reads their inbox)."""
    page = f"/appointment/request/{slot['service']}/"
    staff = slot["staff"]
    _, _, html = expect(browser.call("GET", page, timed=whole), 200)
    if whole:
        ajax = {"X-Requested-With": "XMLHttpRequest"}
        expect(browser.call("GET", f"/appointment/ajax/request_staff_info/?staff_member={staff}", headers=ajax), 200)
        _, _, answer = expect(
            browser.call(
                "GET",
                f"/appointment/ajax/available_slots/?selected_date={slot['day']}&staff_member={staff}"
                f"&service_id={slot['service']}",
                headers=ajax,
            ),
            200,
        )
        if f'"{slot["day"]}T{slot["time"]}:00"' not in answer:
            raise FlowError(f"{slot} is not among the peer's slots: {answer[:300]!r}")
    # What its page's script adds to the form when the patient presses "Next".
    form = hidden_inputs(html) | {
        "staff_member": str(staff),
        "date": slot["day"],
        "start_time": slot["time"],
        "end_time": slot["end"],
        "service": str(slot["service"]),
        "appointment_request_id": "",
        "reason_for_rescheduling": "",
    }
    _, location, _ = expect(
        browser.call("POST", "/appointment/request-submit/", form=form), 302, "/appointment/client-info/"
    )
    _, _, html = expect(browser.call("GET", location), 200)
    email = f"patient{n}@example.com"
    form = hidden_inputs(html) | {
        "name": "Bench Patient",
        "email": email,
        "phone_0": "GB",
        "phone_1": bench_phone(PHONE_OFFSET + n),
        "address": "",
        "additional_info": "",
        "payment_type": "full",
    }
    _, code_page, _ = expect(browser.call("POST", location, form=form), 302, "/appointment/verification-code/")
    _, _, html = expect(browser.call("GET", code_page), 200)
    form = hidden_inputs(html) | {"code": code_for(email)}
    _, location, _ = expect(browser.call("POST", code_page, form=form), 302, "/appointment/thank-you/")
    if whole:
        expect(browser.call("GET", location), 200)
