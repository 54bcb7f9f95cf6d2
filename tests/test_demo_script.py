"""`PORT=8001 make demo` serves on that port, and the links in the demo's texts follow it."""

import html
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar

import pytest

from tests.clinic.test_settings_prod import ROOT, clean_environ

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_demo_serves_on_another_port_and_its_texts_link_there(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **clean_environ(),
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        # The confirmation goes out now, whatever the time of day the test runs.
        "SMS_QUIET_HOURS_START": "00:00",
        "SMS_QUIET_HOURS_END": "00:00",
    }
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path / "demo.log"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(path: str) -> str:
        with opener.open(base + path, timeout=10) as response:
            return response.read().decode()

    with open(log, "w") as out:
        demo = subprocess.Popen(["bash", "scripts/demo.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get("/healthz")
                break
            except OSError:
                assert demo.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
        assert f"Demo clinic:   {base}/" in log.read_text()

        # Book the first free time the pages offer, as a patient would.
        choose = get("/book/")
        length = re.search(r'name="length" value="(\d+)"', choose).group(1)
        link = None
        for offset in range(2, 30):
            day = (date.today() + timedelta(days=offset)).isoformat()
            page = get(f"/book/time/?length={length}&therapist=any&day={day}")
            if found := re.search(r'href="(/book/details/\?[^"]+)"', page):
                link = html.unescape(found.group(1))
                break
        assert link, "the demo offers no free time in the next four weeks"
        form = get(link)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        fields |= {
            "name": "Demo Patient",
            "phone": "07700 900777",
            "email": "",
            "note": "",
            "none_apply": "on",  # "No to all" of the health questions
            "consent_health": "on",
            "consent_privacy": "on",
            "consent_cancellation": "on",
        }
        request = urllib.request.Request(
            base + "/book/details/", data=urllib.parse.urlencode(fields).encode(), headers={"Referer": base + link}
        )
        with opener.open(request, timeout=10) as response:
            assert "/book/confirmed/" in response.url

        deadline = time.monotonic() + 10
        while "--- SMS to" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        texts = log.read_text()
        assert f"{base}/manage/" in texts, texts[-3000:]
        assert "127.0.0.1:8000" not in texts
    finally:
        demo.terminate()
        demo.wait(timeout=30)
