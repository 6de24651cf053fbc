"""The production entry points load production settings and refuse weak or missing secrets.

Each runs in a subprocess with a clean environment, as gunicorn, celery or systemd would start it.
"""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

WSGI = "import config.wsgi"
ASGI = "import config.asgi"
CELERY = "from config.celery import app; import django; django.setup(); print(app.conf.broker_url)"
CELERY_WORKER = [
    "-m",
    "celery",
    "-A",
    "config",
    "worker",
    "-P",
    "solo",
    "--without-mingle",
    "--without-gossip",
]
SHOW = "; from django.conf import settings as s; print(s.SETTINGS_MODULE, s.DEBUG, s.MIDDLEWARE[1])"


def run(argv: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def good_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "BRIDGE_TOKEN": secrets.token_urlsafe(32),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "CELERY_BROKER_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "DJANGO_ALLOWED_HOSTS": "testserver,example.com",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }


@pytest.mark.parametrize("argv", [["-c", WSGI], ["-c", ASGI], CELERY_WORKER, ["-m", "voiceworker", "start"]])
def test_entry_points_refuse_to_start_in_a_clean_environment(argv):
    result = run(argv, {})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("code", [WSGI, ASGI])
def test_wsgi_and_asgi_default_to_production(good_env, code):
    result = run(["-c", code + SHOW], good_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "config.settings.production",
        "False",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_celery_app_defaults_to_production(good_env):
    result = run(["-c", CELERY + SHOW], good_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == [good_env["CELERY_BROKER_URL"], "config.settings.production", "False"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", ""),
        ("DJANGO_SECRET_KEY", "   "),
        ("DJANGO_SECRET_KEY", "django-insecure-local-development-only-key"),
        ("DJANGO_SECRET_KEY", "short-key"),
        ("BRIDGE_TOKEN", None),
        ("BRIDGE_TOKEN", ""),
        ("BRIDGE_TOKEN", "dev-bridge-token"),
        ("BRIDGE_TOKEN", "x" * 31),
        ("CELERY_BROKER_URL", ""),
        ("CELERY_BROKER_URL", None),
        ("DATABASE_URL", ""),
        ("DJANGO_ALLOWED_HOSTS", ""),
        ("DJANGO_DEBUG", "true"),
    ],
)
@pytest.mark.parametrize("argv", [["-c", WSGI], CELERY_WORKER], ids=["wsgi", "celery-worker"])
def test_a_missing_empty_or_weak_secret_is_named(good_env, argv, variable, value):
    env = {k: v for k, v in good_env.items() if k != variable}
    if value is not None:
        env[variable] = value

    # A worker that started despite the bad variable would run until the timeout and fail the test.
    result = run(argv, env, timeout=60)

    assert result.returncode != 0
    assert variable in result.stderr.splitlines()[-1]


def test_manage_py_keeps_the_local_settings_for_development(tmp_path):
    result = run(
        ["manage.py", "shell", "-c", "from django.conf import settings as s; print(s.SETTINGS_MODULE)"], {}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "config.settings.local"


def test_collectstatic_with_production_settings_writes_the_manifest_the_login_page_needs(good_env):
    login = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/admin/login/', secure=True); print(r.status_code)"
    )
    before = run(["-c", login], {**good_env, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert "Missing staticfiles manifest" in before.stderr

    collect = run(
        ["manage.py", "collectstatic", "--noinput", "-v0"],
        {**good_env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
    )
    assert collect.returncode == 0, collect.stderr
    assert (settings.BASE_DIR / good_env["DJANGO_STATIC_ROOT"] / "staticfiles.json").exists()

    after = run(["-c", login], {**good_env, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert after.stdout.split()[-1] == "200", after.stderr


def test_production_throttles_and_lockouts_count_in_the_brokers_redis(good_env):
    show_cache = (
        "; from django.conf import settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    )
    code = WSGI + show_cache

    result = run(["-c", code], good_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        good_env["CELERY_BROKER_URL"],
    ]


def test_production_refuses_a_cache_that_is_not_shared(good_env):
    result = run(["-c", WSGI], {**good_env, "CACHE_URL": "locmem://"})

    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr.splitlines()[-1]


def test_gunicorn_serves_the_bridge_as_the_readme_deploys_it(good_env):
    """`gunicorn -c config/gunicorn.py config.wsgi`: the fast path saves, the full stack refuses."""
    import json
    import socket
    import time
    import urllib.error
    import urllib.request

    env = {**good_env, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    assert run(["manage.py", "migrate", "--noinput", "-v0"], env).returncode == 0
    created = run(
        [
            "manage.py",
            "shell",
            "-c",
            "from calls.models import Encuesta; "
            "print(Encuesta.objects.create(telefono='+34621151394', status='in_progress').pk)",
        ],
        env,
    )
    encuesta_id = int(created.stdout.split()[-1])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=settings.BASE_DIR,
        env={**clean, **good_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def post(token: str, body: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/guardar-encuesta",
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                "Host": "example.com",
                "X-Forwarded-Proto": "https",  # TLS ends at the proxy
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr
                time.sleep(0.2)

        saved = post(good_env["BRIDGE_TOKEN"], {"id_encuesta": encuesta_id, "nota_comercial": 9})
        refused = post("wrong-token", {"id_encuesta": encuesta_id, "nota_comercial": 1})
        invalid = post(good_env["BRIDGE_TOKEN"], {"id_encuesta": encuesta_id, "nota_comercial": "①"})
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert saved == (200, {"status": "success", "id": encuesta_id, "estado": "in_progress"})
    assert refused[0] == 401 and refused[1]["detail"]
    assert invalid[0] == 400 and invalid[1]["detail"]
    stored = run(
        [
            "manage.py",
            "shell",
            "-c",
            "from calls.models import Encuesta; "
            f"print(Encuesta.objects.get(pk={encuesta_id}).puntuacion_comercial)",
        ],
        env,
    )
    assert stored.stdout.split()[-1] == "9"
