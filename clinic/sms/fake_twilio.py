"""A stand-in for Twilio's Messages API, for the local production-like stack (`make stack`) and
the rehearsal (`make rehearse`).

Prints each message it is given, answers like Twilio, and a moment later reports the message
delivered to its StatusCallback URL, signed with the auth token as Twilio signs, so the whole
loop (worker -> Twilio -> status webhook) can be watched without an account or a phone. It keeps
a message log and answers Twilio's Messages list (GET .../Messages.json, filtered by `To`,
`DateSent>` and `DateSent<`, in pages), which the reconciliation of unknown texts reads.

    python -m clinic.sms.fake_twilio --port 8026 --auth-token test-token

Standard library only (the app itself keeps every twilio import in `backends/twilio.py`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


def signature(auth_token: str, url: str, params: dict) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted POST parameters."""
    payload = url + "".join(key + params[key] for key in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def _report_delivered(url: str, sid: str, account_sid: str, auth_token: str) -> None:
    params = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": account_sid}
    request = urllib.request.Request(
        url, data=urlencode(params).encode(), headers={"X-Twilio-Signature": signature(auth_token, url, params)}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            print(f"[fake twilio] status callback for {sid}: HTTP {response.status}", flush=True)
    except Exception as error:
        print(f"[fake twilio] status callback for {sid} failed: {error}", flush=True)


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=False).replace("-0000", "+0000")


def _parse_time(value: str) -> datetime | None:
    """Twilio's date filters, as the official client sends them (2026-11-30T21:00:00Z) or as dates."""
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def message_resource(*, sid: str, account_sid: str, form: dict, at: datetime) -> dict:
    """A Message resource as Twilio's API returns it, for a message sent with `form` at `at`."""
    return {
        "sid": sid,
        "account_sid": account_sid,
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "from": form.get("From"),
        "to": form.get("To"),
        "body": form.get("Body"),
        "status": "accepted",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "date_created": _rfc2822(at),
        "date_updated": _rfc2822(at),
        "date_sent": _rfc2822(at),
        "error_code": None,
        "error_message": None,
        "price": None,
        "price_unit": "GBP",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        "subresource_uris": {},
    }


class MessageLog:
    """The messages the fake accepted, as Twilio's Messages resource shows them."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    def add(self, *, sid: str, account_sid: str, form: dict) -> dict:
        """Log a message the fake accepted; return it as Twilio's answer shows it."""
        now = datetime.now(UTC)
        with self.lock:
            self.messages.append(
                {**message_resource(sid=sid, account_sid=account_sid, form=form, at=now), "_sent": now}
            )
        return message_resource(sid=sid, account_sid=account_sid, form=form, at=now)

    def page(self, path: str) -> dict:
        """GET .../Messages.json: newest first, filtered by To and DateSent> / DateSent<, paged."""
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        after, before = _parse_time(query.get("DateSent>", "")), _parse_time(query.get("DateSent<", ""))
        with self.lock:
            found = [
                m
                for m in reversed(self.messages)
                if (not query.get("To") or m["to"] == query["To"])
                # Compared in whole seconds, the precision the official client sends.
                and (after is None or m["_sent"].replace(microsecond=0) >= after)
                and (before is None or m["_sent"].replace(microsecond=0) <= before)
            ]
        size, number = int(query.get("PageSize", 50)), int(query.get("Page", 0))
        chunk = found[number * size : (number + 1) * size]
        more = (number + 1) * size < len(found)
        next_query = urlencode({**query, "Page": number + 1, "PageSize": size})
        return {
            "messages": [{k: v for k, v in m.items() if not k.startswith("_")} for m in chunk],
            "page": number,
            "page_size": size,
            "start": number * size,
            "end": number * size + max(len(chunk) - 1, 0),
            "uri": path,
            "first_page_uri": f"{url.path}?{urlencode({**query, 'Page': 0, 'PageSize': size})}",
            "next_page_uri": f"{url.path}?{next_query}" if more else None,
            "previous_page_uri": None,
        }


def make_server(
    host: str, port: int, auth_token: str, delay: float = 1.0, answer_delay: float = 0.0
) -> ThreadingHTTPServer:
    counter = itertools.count(1)
    log = MessageLog()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if not urlsplit(self.path).path.endswith("/Messages.json"):
                self.send_error(404)
                return
            body = json.dumps(log.page(self.path)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            account_sid = self.path.split("/")[3] if self.path.count("/") >= 4 else ""
            sid = f"SM{next(counter):032d}"
            sender = form.get("MessagingServiceSid") or form.get("From")
            print(f"[fake twilio] {sid} to {form.get('To')} from {sender}:\n{form.get('Body')}\n", flush=True)
            body = json.dumps(log.add(sid=sid, account_sid=account_sid, form=form))
            if form.get("StatusCallback"):
                # Twilio delivers what it accepted, whether or not its answer reaches the sender.
                threading.Timer(
                    delay, _report_delivered, args=(form["StatusCallback"], sid, account_sid, auth_token)
                ).start()
            if answer_delay:
                time.sleep(answer_delay)  # Twilio has it; the answer is still on its way
            try:
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())
            except (BrokenPipeError, ConnectionResetError):
                print(f"[fake twilio] {sid}: the sender went away before the answer", flush=True)

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--answer-delay", type=float, default=0.0, help="seconds before answering a send")
    parser.add_argument("--callback-delay", type=float, default=1.0, help="seconds before reporting delivery")
    args = parser.parse_args()
    server = make_server(
        args.host, args.port, args.auth_token, delay=args.callback_delay, answer_delay=args.answer_delay
    )
    print(f"[fake twilio] listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
