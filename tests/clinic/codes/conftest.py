import pytest

from clinic.codes import purposes

KNOWN = "+447700900123"
UNKNOWN = "+447700900999"


@pytest.fixture
def purpose():
    """A purpose that texts codes to KNOWN only, registered for the test."""
    registered = purposes.register("test", action="try the tests", may_receive=lambda phone: str(phone) == KNOWN)
    yield registered
    purposes._purposes.pop("test", None)


def texted_code(sms_outbox, to=KNOWN) -> str:
    """The six digits of the last code texted to `to`."""
    body = [sms for sms in sms_outbox if sms.to == to][-1].body
    return body.split()[0]
