"""The built client served by Django: index.html to staff only, assets by WhiteNoise."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = '<!doctype html><div id="root"></div><script src="/assets/index-4f3a9c1d.js"></script>'


@pytest.fixture
def dist(tmp_path, settings):
    """A tiny stand-in for the client's `npm run build` output."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-4f3a9c1d.js").write_text("console.log('ausarta')")
    (tmp_path / "ausarta.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    settings.FRONTEND_DIST_DIR = str(tmp_path)
    return tmp_path


def test_anonymous_visitor_is_redirected_to_the_spanish_login(dist):
    client = Client()
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/"
    login = client.get(response["Location"])
    assert login.status_code == 200
    assert 'lang="es"' in login.content.decode()
    assert "Contraseña" in login.content.decode()


def test_logged_in_staff_gets_the_clients_index(dist):
    client = Client()
    client.force_login(UserFactory(username="jefa", is_staff=True))
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"".join(response.streaming_content).decode() == INDEX  # type: ignore[attr-defined]
    assert "no-cache" in response["Cache-Control"]


def test_logged_in_non_staff_user_does_not_get_the_client(dist):
    client = Client()
    client.force_login(UserFactory(username="cliente"))
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_assets_are_served_by_whitenoise_with_long_cache_for_hashed_names(dist):
    client = Client()
    script = client.get("/assets/index-4f3a9c1d.js")
    logo = client.get("/ausarta.png")

    assert script.status_code == 200
    assert b"".join(script.streaming_content) == b"console.log('ausarta')"  # type: ignore[attr-defined]
    assert "immutable" in script["Cache-Control"]
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"


def test_index_html_is_not_public_by_its_file_name(dist):
    assert Client().get("/index.html").status_code == 404


def test_without_the_setting_staff_land_on_the_admin(settings):
    settings.FRONTEND_DIST_DIR = ""
    client = Client()
    client.force_login(UserFactory(username="jefa", is_staff=True))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/assets/index-4f3a9c1d.js").status_code == 404
