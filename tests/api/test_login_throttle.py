"""Login throttling with the real Redis of production: failed attempts are counted per account and
per client address, a trusted proxy's X-Forwarded-For names the client, the counters' keys carry the
deployment's prefix, and the web login form counts with the API. An app of its own (low limits, a
fresh key prefix) on the seeded database of each backend."""

from __future__ import annotations

import uuid

import pytest
import redis

from ledger import create_app
from ledger.config import Config, TestingConfig
from tests.web.support import csrf_of, page

REDIS_URL = "redis://127.0.0.1:6379/0"
WRONG = "wrong-password"
RIGHT = "secret-pass"  # the seed's password of every user


@pytest.fixture
def limited(seeded, signing_key_file):
    """make(**settings) → an app on the seeded database counting logins in Redis under a fresh
    prefix: at most 5 failures per account, 20 per address (the keys are deleted afterwards)."""
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.ConnectionError as err:
        pytest.fail(f"Redis is not running on 127.0.0.1:6379 ({err})")
    made = []

    def make(**settings):
        prefix = f"ledger-test-{uuid.uuid4().hex}"
        app = create_app(TestingConfig, **{
            "DATABASE_URL": seeded.app.config["DATABASE_URL"],
            "SIGNING_KEY_FILE": str(signing_key_file),
            "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
            "LOGIN_RATE_LIMIT": "5 per minute", "LOGIN_ADDRESS_RATE_LIMIT": "20 per minute",
            **settings})
        made.append((app, prefix))
        return app

    yield make
    for app, prefix in made:
        app.extensions["ledger.engine"].dispose()
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


def _login(client, username, password, address="10.0.0.1", **kw):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kw).status_code


def test_bad_attempts_on_one_account_do_not_lock_another(seeded, limited):
    client = limited().test_client()
    users = seeded.seed.usernames
    assert [_login(client, users["admin"], WRONG) for _ in range(7)] == [401] * 5 + [429] * 2
    # the same address, another account: let in
    assert _login(client, users["statistics"], RIGHT) == 200
    # the guessed account stays throttled, from any address, even with the right password
    assert _login(client, users["admin"], RIGHT, address="10.9.9.9") == 429


def test_one_address_cannot_try_many_accounts(seeded, limited):
    client = limited().test_client()
    codes = [_login(client, f"nobody{n}", WRONG) for n in range(21)]
    assert codes == [401] * 20 + [429]
    assert _login(client, seeded.seed.usernames["host"], RIGHT) == 429
    assert _login(client, seeded.seed.usernames["host"], RIGHT, address="10.0.0.2") == 200


def test_successful_logins_do_not_count(seeded, limited):
    client = limited().test_client()
    for _ in range(25):
        assert _login(client, seeded.seed.usernames["host"], RIGHT) == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(seeded, limited):
    """All requests come from the proxy (127.0.0.1); X-Forwarded-For tells the clients apart."""
    client = limited(TRUSTED_PROXIES=1).test_client()
    for n in range(20):
        assert _login(client, f"nobody{n}", WRONG, address="127.0.0.1",
                      headers={"X-Forwarded-For": "203.0.113.7"}) == 401
    assert _login(client, "someone", WRONG, address="127.0.0.1",
                  headers={"X-Forwarded-For": "203.0.113.7"}) == 429
    assert _login(client, seeded.seed.usernames["host"], RIGHT, address="127.0.0.1",
                  headers={"X-Forwarded-For": "198.51.100.4"}) == 200


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(seeded, limited):
    """A client cannot escape the per-address limit by inventing X-Forwarded-For."""
    client = limited().test_client()
    for n in range(20):
        _login(client, f"nobody{n}", WRONG, headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert _login(client, seeded.seed.usernames["host"], RIGHT,
                  headers={"X-Forwarded-For": "198.51.100.4"}) == 429


def test_the_counters_carry_the_deployment_prefix(seeded, limited):
    app = limited()
    prefix = app.config["RATELIMIT_KEY_PREFIX"]
    _login(app.test_client(), "nobody", WRONG)
    keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*")]
    assert keys and all(f"/{prefix}/" in k for k in keys), keys
    other = limited()  # another deployment on the same Redis does not see these counts
    for _ in range(5):
        _login(app.test_client(), "admin", WRONG)
    assert _login(app.test_client(), seeded.seed.usernames["admin"], RIGHT) == 429
    assert _login(other.test_client(), seeded.seed.usernames["admin"], RIGHT) == 200


def test_the_web_login_counts_with_the_api(seeded, limited):
    app = limited()
    client = app.test_client()
    admin = seeded.seed.usernames["admin"]
    for _ in range(5):
        assert _login(client, admin, WRONG) == 401
    token = csrf_of(page(client, "/login"))
    r = client.post("/login", data={"csrf_token": token, "username": admin, "password": RIGHT},
                    environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert r.status_code == 429
    other = seeded.seed.usernames["commerce"]
    r = client.post("/login", data={"csrf_token": token, "username": other, "password": RIGHT},
                    environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert r.status_code == 302


def test_trusted_proxies_is_a_small_whole_number():
    assert Config({}).TRUSTED_PROXIES == 0
    assert Config({"LEDGER_TRUSTED_PROXIES": "2"}).TRUSTED_PROXIES == 2
    assert Config({}).RATELIMIT_KEY_PREFIX == "ledger"
    for bad in ("-1", "x", "1.5", "99"):
        with pytest.raises(RuntimeError, match="LEDGER_TRUSTED_PROXIES"):
            Config({"LEDGER_TRUSTED_PROXIES": bad})
