import pytest

from clinic.sms.backends import BaseBackend, SendResult, get_backend
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


class RecordingBackend(BaseBackend):
    """A backend no setting names by default, so only SMS_BACKEND can bring it into play."""

    sent: list[tuple[str, str]] = []

    def send(self, message, *, status_callback=""):
        self.sent.append((message.to, message.body))
        return SendResult(provider_id=f"REC{len(self.sent)}")


def test_the_backend_named_by_the_dotted_path_is_the_one_that_sends(
    settings, awake, sms_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = f"{__name__}.RecordingBackend"
    RecordingBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_sms(kind="callback_ack", to="+447700900123", context={"name": "Pat", "promise": "today"})
    message.refresh_from_db()
    assert RecordingBackend.sent == [("+447700900123", message.body)]
    assert (message.status, message.provider_id) == (Message.Status.SENT, "REC1")
    assert sms_outbox == []  # the test settings' default backend was not used


def test_a_misspelt_backend_path_fails_loudly(settings):
    settings.SMS_BACKEND = "clinic.sms.backends.twilo.TwilioBackend"
    with pytest.raises(ImportError):
        get_backend()


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
