import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

BRIDGE_TOKEN = "test-bridge-token"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle histories and lockouts live in the cache: each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def user(db):
    """A non-superuser holding every permission: the API's checks pass through `has_perms`."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="operadora")
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def staff_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture(params=["django", "deployed"])
def bridge_client(request, db) -> APIClient:
    """The voice agents' client, through Django's test handler and through config.wsgi.application
    (where calls.bridge_fast_path answers /guardar-encuesta before Django's stack)."""
    from tests.deployed_client import DeployedAppClient

    client = APIClient() if request.param == "django" else DeployedAppClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {BRIDGE_TOKEN}")
    return client


@pytest.fixture
def admin_client_logged(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(scope="session")
def livekit_server():
    from telephony.testing import FakeLiveKitServer

    with FakeLiveKitServer() as server:
        yield server


@pytest.fixture
def livekit(livekit_server, settings):
    """The LiveKit-compatible test server, clean, with the app's settings pointing at it."""
    livekit_server.reset_faults()
    livekit_server.reset_state()
    livekit_server.clear()
    settings.LIVEKIT_URL = livekit_server.url
    settings.LIVEKIT_API_KEY = livekit_server.api_key
    settings.LIVEKIT_API_SECRET = livekit_server.api_secret
    settings.TELEPHONY_BACKEND = "livekit"
    yield livekit_server
    livekit_server.reset_faults()


@pytest.fixture
def telephony_config(db):
    from tests.factories import TelephonyConfigFactory

    return TelephonyConfigFactory(sip_trunk_id="ST_testtrunk", from_numbers=["+34944771453"])


@pytest.fixture
def voice_agent(db):
    from tests.factories import VoiceAgentFactory

    return VoiceAgentFactory(name="Encuesta Calidad Ausarta", dispatch_name="Dakota-1ef9")
