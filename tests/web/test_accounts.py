"""The accounts in the web pages, on both databases: every user changes their own password
(the API's strength rule, the present password, the other sessions ended, this one kept);
the administrator lists, creates, resets, deactivates, reactivates and re-roles accounts
through the commands, and the last active administrator is kept with a Chinese refusal."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ledger.models import ApiToken, AuditEntry, User
from tests.factories import PASSWORD
from ledger.commands.users import issue_token
from tests.web.support import csrf_of, field_error, login, page, post

NEW = "a-better-pass-1"
ONE_TIME = re.compile(r'id="one-time-password">([^<]+)</code>')


def _change(client, old: str, new: str, repeat: str | None = None):
    return post(client, "/account/password", {"old_password": old, "new_password": new,
                                              "new_password_repeat": new if repeat is None else repeat})


def _user(session, username: str) -> User:
    session.expire_all()
    return session.scalar(sa.select(User).where(User.username == username))


def _admin(world):
    return world.user("guanli", "admin")


# ------------------------------------------------------------------ my own password

def test_a_user_changes_their_password_and_their_other_sessions_end(world, client, app, session):
    other = app.test_client()
    login(other, "lingwu")
    api_token, _ = issue_token(world.ctx(world.lingwu))
    login(client, "lingwu")
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "密码已修改" in page(client, "/dashboard")       # this session stays
    assert other.get("/dashboard").status_code == 302     # the other one is logged out
    assert app.test_client().get("/api/v1/projects", headers={
        "Authorization": f"Bearer {api_token}"}).status_code == 401
    live = session.scalars(sa.select(ApiToken).where(ApiToken.user_id == world.lingwu.id,
                                                     ApiToken.revoked_at.is_(None))).all()
    assert len(live) == 1
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.entity_id) == ("user.password", str(world.lingwu.id))
    assert PASSWORD not in (entry.after or "") and NEW not in (entry.after or "")
    fresh = app.test_client()
    login(fresh, "lingwu", NEW)
    token = csrf_of(page(fresh, "/login"))
    refused = app.test_client().post("/login", data={"csrf_token": token, "username": "lingwu",
                                                     "password": PASSWORD})
    assert refused.status_code in (400, 422)


def test_a_wrong_present_password_is_refused_beside_its_field(world, client, session):
    login(client, "lingwu")
    response = _change(client, "not-my-password", NEW)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "old_password") == "不是您当前的密码"
    login(client.application.test_client(), "lingwu")  # the password did not change


def test_a_weak_password_is_refused_by_the_apis_rule(world, client):
    login(client, "lingwu")
    response = _change(client, PASSWORD, "short")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "new_password") == "至少 8 个字符"


def test_the_repeat_must_match(world, client):
    login(client, "lingwu")
    response = _change(client, PASSWORD, NEW, repeat=NEW + "x")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "new_password_repeat") == "与新密码不一致"


# ------------------------------------------------------------------ the administrator

def test_only_the_administrator_opens_the_user_pages(world, client):
    login(client, "tongji")
    assert client.get("/users").status_code == 403
    assert client.get(f"/users/{world.lingwu.id}").status_code == 403
    assert "/users" not in re.findall(r'href="(/users)"', page(client, "/dashboard"))


def test_the_user_list_filters(world, client):
    _admin(world)
    login(client, "guanli")
    html = page(client, "/users")
    assert all(name in html for name in ("tongji", "lingwu", "xingqing", "guanli"))
    html = page(client, "/users?role=region")
    assert "lingwu" in html and "tongji" not in html
    html = page(client, "/users?region=640181")
    assert "lingwu" in html and "xingqing" not in html
    html = page(client, "/users?q=XING")
    assert "xingqing" in html and "lingwu" not in html
    html = page(client, "/users?q=%25")  # a wildcard is a character like any other
    assert "lingwu" not in html
    world_user = world.lingwu
    login(client, "guanli")
    post(client, f"/users/{world_user.id}/active", {"active": "0", "row_version": "1"},
         form_page=f"/users/{world_user.id}")
    html = page(client, "/users?active=no")
    assert "lingwu" in html and "xingqing" not in html
    assert "lingwu" not in page(client, "/users?active=yes")
    assert field_error(page(client, "/users?role=king"), "f-role")


def test_a_new_user_gets_a_one_time_password_and_must_change_it(world, client, app, session):
    _admin(world)
    login(client, "guanli")
    response = post(client, "/users/new", {"username": "yongning", "role": "region",
                                           "region_code": "640121"})
    assert response.status_code == 200
    password = ONE_TIME.search(response.get_data(as_text=True))[1]
    assert _user(session, "yongning").must_change_password
    newcomer = app.test_client()
    # The one-time password buys no API token: only the web page that replaces it.
    answer = newcomer.post("/api/v1/auth/token",
                           json={"username": "yongning", "password": password})
    assert answer.status_code == 403
    assert answer.get_json()["error"] == "password.must_change"
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)
                          .join(User, User.id == ApiToken.user_id)
                          .where(User.username == "yongning")) == 0
    token = csrf_of(page(newcomer, "/login"))
    response = newcomer.post("/login", data={"csrf_token": token, "username": "yongning",
                                             "password": password})
    assert response.headers["Location"] == "/account/password"
    assert newcomer.get("/projects").headers["Location"] == "/account/password"
    assert "管理员重置" in page(newcomer, "/account/password")
    assert _change(newcomer, password, NEW).status_code == 302
    assert page(newcomer, "/projects")
    assert not _user(session, "yongning").must_change_password
    answer = newcomer.post("/api/v1/auth/token", json={"username": "yongning", "password": NEW})
    assert answer.status_code == 200


def test_creating_a_user_is_refused_beside_its_fields(world, client):
    _admin(world)
    login(client, "guanli")
    response = post(client, "/users/new", {"username": "lingwu", "role": "region",
                                           "region_code": "640181"})
    assert response.status_code == 409 or response.status_code == 422
    assert field_error(response.get_data(as_text=True), "username") == "用户 lingwu 已存在"
    response = post(client, "/users/new", {"username": "tongji2", "role": "statistics",
                                           "region_code": "640181"})
    assert field_error(response.get_data(as_text=True), "region_code")


def test_a_reset_ends_the_users_sessions_and_forces_a_change(world, client, app, session):
    _admin(world)
    victim = app.test_client()
    login(victim, "lingwu")
    login(client, "guanli")
    user = _user(session, "lingwu")
    response = post(client, f"/users/{user.id}/reset", {"row_version": str(user.row_version)},
                    form_page=f"/users/{user.id}")
    assert response.status_code == 200
    password = ONE_TIME.search(response.get_data(as_text=True))[1]
    assert victim.get("/dashboard").status_code == 302
    assert "必须修改密码" in page(client, f"/users/{user.id}")
    login(victim, "lingwu", password)
    assert victim.get("/dashboard").headers["Location"] == "/account/password"
    assert _change(victim, password, NEW).status_code == 302
    assert page(victim, "/dashboard")
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
    assert entry.entity_id == str(user.id) and password not in entry.after


def test_role_and_region_change(world, client, session):
    _admin(world)
    login(client, "guanli")
    user = _user(session, "pingluo")
    response = post(client, f"/users/{user.id}", {"role": "region", "region_code": "640122",
                                                   "row_version": str(user.row_version)})
    assert response.status_code == 302
    assert _user(session, "pingluo").region_code == "640122"
    user = _user(session, "pingluo")
    response = post(client, f"/users/{user.id}", {"role": "commerce", "region_code": "",
                                                   "row_version": str(user.row_version)})
    assert response.status_code == 302
    user = _user(session, "pingluo")
    assert (user.role, user.region_code) == ("commerce", None)
    response = post(client, f"/users/{user.id}", {"role": "region", "region_code": "",
                                                   "row_version": str(user.row_version)})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "region_code")
    stale = post(client, f"/users/{user.id}", {"role": "statistics", "region_code": "",
                                               "row_version": str(user.row_version - 1)})
    assert stale.status_code == 422 and "内容已被他人修改" in stale.get_data(as_text=True)


def test_the_last_administrator_is_kept_with_a_chinese_refusal(world, client, session):
    admin = _admin(world)
    login(client, "guanli")
    user = _user(session, "guanli")
    response = post(client, f"/users/{admin.id}", {"role": "statistics", "region_code": "",
                                                    "row_version": str(user.row_version)})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "role") == "唯一的在用管理员不能降级或停用"
    response = post(client, f"/users/{admin.id}/active", {"active": "0",
                                                          "row_version": str(user.row_version)},
                    form_page=f"/users/{admin.id}")
    assert response.status_code == 302
    assert "唯一的在用管理员不能降级或停用" in page(client, f"/users/{admin.id}")
    user = _user(session, "guanli")
    assert (user.role, user.active) == ("admin", True)


def test_deactivate_and_reactivate(world, client, app, session):
    _admin(world)
    victim = app.test_client()
    login(victim, "xingqing")
    login(client, "guanli")
    user = _user(session, "xingqing")
    post(client, f"/users/{user.id}/active", {"active": "0", "row_version": str(user.row_version)},
         form_page=f"/users/{user.id}")
    assert not _user(session, "xingqing").active
    assert victim.get("/dashboard").status_code == 302
    user = _user(session, "xingqing")
    post(client, f"/users/{user.id}/active", {"active": "1", "row_version": str(user.row_version)},
         form_page=f"/users/{user.id}")
    assert _user(session, "xingqing").active
    login(victim, "xingqing")
    actions = session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))).all()
    assert actions.count("user.update") == 2


def test_an_accounts_email_address_is_set_shown_refused_and_cleared(world, client, session):
    _admin(world)
    login(client, "guanli")
    user = _user(session, "pingluo")
    response = post(client, f"/users/{user.id}", {"role": "region", "region_code": "640221",
                                                   "email": "pingluo@example.cn",
                                                   "row_version": str(user.row_version)})
    assert response.status_code == 302
    assert _user(session, "pingluo").email == "pingluo@example.cn"
    html = page(client, f"/users/{user.id}")
    assert 'value="pingluo@example.cn"' in html and 'type="email"' in html
    user = _user(session, "pingluo")
    response = post(client, f"/users/{user.id}", {"role": "region", "region_code": "640221",
                                                   "email": "平罗县邮箱",
                                                   "row_version": str(user.row_version)})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "email") == "须为电子邮件地址，如 name@example.cn"
    assert _user(session, "pingluo").email == "pingluo@example.cn"
    response = post(client, f"/users/{user.id}", {"role": "region", "region_code": "640221",
                                                   "email": "", "row_version": str(user.row_version)})
    assert response.status_code == 302 and _user(session, "pingluo").email is None
