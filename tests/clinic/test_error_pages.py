"""Pages for addresses that lead nowhere: in the site's layout, with the clinic's phone."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_a_page_in_the_sites_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    assert "We can't find that page" in main
    assert 'href="tel:+441632960000"' in main and 'href="/book/"' in main
    assert "Resolver404" not in page
