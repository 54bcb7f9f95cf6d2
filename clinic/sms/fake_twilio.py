"""A stand-in for Twilio's Messages API, for the local production-like stack (`make stack`).

Prints each message it is given, answers like Twilio, and a moment later reports the message
delivered to its StatusCallback URL, signed with the auth token as Twilio signs, so the whole
loop (worker -> Twilio -> status webhook) can be watched without an account or a phone.

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
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode


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


def make_server(host: str, port: int, auth_token: str, delay: float = 1.0) -> ThreadingHTTPServer:
    counter = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            account_sid = self.path.split("/")[3] if self.path.count("/") >= 4 else ""
            sid = f"SM{next(counter):032d}"
            sender = form.get("MessagingServiceSid") or form.get("From")
            print(f"[fake twilio] {sid} to {form.get('To')} from {sender}:\n{form.get('Body')}\n", flush=True)
            body = json.dumps({"sid": sid, "status": "accepted", "to": form.get("To"), "body": form.get("Body")})
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())
            if form.get("StatusCallback"):
                threading.Timer(
                    delay, _report_delivered, args=(form["StatusCallback"], sid, account_sid, auth_token)
                ).start()

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--auth-token", required=True)
    args = parser.parse_args()
    server = make_server(args.host, args.port, args.auth_token)
    print(f"[fake twilio] listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
