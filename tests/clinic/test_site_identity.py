"""The clinic's own name on the admin, and an icon for every page (issue 10's papercuts)."""

import pytest
from django.urls import reverse

from clinic.core.models import ClinicSettings

pytestmark = pytest.mark.django_db


def test_the_admin_carries_the_clinics_name_not_djangos(client, manager):
    clinic = ClinicSettings.load()
    clinic.name = "Harbour Street Physio"
    clinic.save()

    login = client.get(reverse("admin:login")).content.decode()
    client.force_login(manager)
    index = client.get(reverse("admin:index")).content.decode()

    for page in (login, index):
        assert "Django administration" not in page and "Django site admin" not in page
        assert '<div id="site-name"><a href="/admin/">Harbour Street Physio</a></div>' in page
    assert "<title>Site administration | Harbour Street Physio</title>" in index


def test_favicon_ico_is_an_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert "max-age=604800" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/", "/book/", "/callback/", "/admin/login/"])
def test_pages_name_their_icons(client, url):
    page = client.get(url).content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'rel="apple-touch-icon"' in page
