from twilio.request_validator import RequestValidator

from clinic.sms.fake_twilio import signature


def test_the_stacks_fake_twilio_signs_callbacks_as_twilio_does():
    url = "http://127.0.0.1:8000/sms/status/abc/"
    params = {"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": "AC1"}
    assert RequestValidator("token").validate(url, params, signature("token", url, params))
    assert not RequestValidator("other").validate(url, params, signature("token", url, params))


def test_the_stacks_fake_twilio_keeps_a_log_the_real_client_can_list():
    import threading
    from datetime import UTC, datetime, timedelta

    from twilio.rest import Client

    from clinic.sms.fake_twilio import make_server

    server = make_server("127.0.0.1", 0, "token")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client("AC" + "0" * 32, "token")
        client.api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        service = "MG" + "0" * 32
        for to in ("+447700900001", "+447700900002", "+447700900001"):
            client.messages.create(to=to, body=f"to {to}", messaging_service_sid=service)

        now = datetime.now(UTC)
        mine = client.messages.list(to="+447700900001", date_sent_after=now - timedelta(minutes=1))
        everything = client.messages.list(page_size=1)
        earlier = client.messages.list(date_sent_before=now - timedelta(hours=1))
    finally:
        server.shutdown()
        server.server_close()
    assert [m.to for m in mine] == ["+447700900001", "+447700900001"]
    assert len(everything) == 3  # three pages of one
    assert earlier == []
