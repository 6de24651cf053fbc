import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def superuser(db):
    return UserFactory(username="jefa", is_staff=True, is_superuser=True)


@pytest.fixture
def browser(superuser) -> APIClient:
    """The old client as a browser runs it: session cookie, no CSRF token, same origin."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(superuser)
    client.defaults.update(SAME_ORIGIN)
    return client
