import pytest

from clinic.sms.backends import get_backend
from clinic.sms.models import Message
from clinic.sms.services import queue_sms

pytestmark = pytest.mark.django_db


def test_the_demo_prints_each_text_on_the_console(settings, awake, capsys, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "clinic.sms.backends.console.ConsoleBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms(kind="callback_ack", to="+447700900123", context={"name": "Pat", "promise": "today"})
    out = capsys.readouterr().out
    assert "--- SMS to +447700900123 (callback_ack) ---" in out
    assert "Thanks, Pat" in out
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_the_backend_is_chosen_by_a_dotted_path(settings):
    settings.SMS_BACKEND = "clinic.sms.backends.locmem.LocmemBackend"
    assert type(get_backend()).__name__ == "LocmemBackend"


def test_only_the_twilio_backend_imports_twilio():
    from pathlib import Path

    import clinic.sms

    package = Path(clinic.sms.__file__).parent
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "import twilio" in path.read_text() or "from twilio" in path.read_text()
    )
    assert importers == ["backends/twilio.py"]
