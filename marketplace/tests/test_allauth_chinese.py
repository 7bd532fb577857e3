"""allauth's pages in Chinese say 你 and 邮箱 like the rest of the portal
(issue 17): the project's catalog overrides allauth's zh_Hans entries for
the msgids marketplace/allauth_messages.py lists."""

import gettext
import re
from pathlib import Path

import allauth
import pytest
from django.core import mail
from django.utils import translation

from conftest import make_user
from marketplace.allauth_messages import ALLAUTH_MESSAGES
from moderation.tests.conftest import give_totp

PASSWORD = "Violet-Harbor-2931"
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
ALLAUTH_CATALOG = gettext.translation(
    "django", localedir=Path(allauth.__file__).parent / "locale", languages=["zh_Hans"]
)


def visible_text(response) -> str:
    """The page's text without its tags (the words a reader sees)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def msgids() -> list[str]:
    """Each listed msgid (a plural one by its singular: English has no translations)."""
    with translation.override("en"):
        return [str(message) for message in ALLAUTH_MESSAGES]


def in_chinese(message) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def test_every_listed_message_is_still_one_of_allauths():
    """An allauth upgrade that drops or rewords a msgid shows up here: its
    override would silently stop applying."""
    allauth_ids = {key if isinstance(key, str) else key[0] for key in ALLAUTH_CATALOG._catalog}
    missing = [msgid for msgid in msgids() if msgid not in allauth_ids]
    assert missing == []


def test_every_listed_message_reads_ni_and_youxiang_in_chinese():
    translated = {msgid: in_chinese(message) for msgid, message in zip(msgids(), ALLAUTH_MESSAGES, strict=True)}
    assert [msgid for msgid, text in translated.items() if text == msgid] == []
    for word in ("您", "电子邮件", "电邮", "Email"):
        assert [msgid for msgid, text in translated.items() if word in text] == [], word


def test_the_overrides_change_what_allauth_alone_would_say():
    message = "Please type your current password."
    assert "您" in ALLAUTH_CATALOG.gettext(message)
    with translation.override("zh-hans"):
        assert translation.gettext(message) == "请输入你的当前密码。"


@pytest.mark.django_db
def test_the_chinese_sign_in_page_says_ni_and_youxiang(client):
    response = client.get("/accounts/login/", **CHINESE)
    assert response.status_code == 200
    text = visible_text(response)
    assert "邮箱" in text
    assert "你还没有账号" in text
    for word in ("您", "电子邮件", "电邮"):
        assert word not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/accounts/signup/", "/accounts/password/reset/", "/accounts/login/code/", "/accounts/confirm-email/bogus-key/"],
)
def test_chinese_account_pages_never_say_nin(client, path):
    response = client.get(path, **CHINESE)
    assert response.status_code == 200
    text = visible_text(response)
    assert "您" not in text
    assert "电子邮件" not in text


@pytest.mark.django_db
def test_the_chinese_sign_up_and_verification_pages_say_youxiang(client):
    client.get("/accounts/signup/", **CHINESE)
    response = client.post(
        "/accounts/signup/",
        {"email": "new.reader@example.com", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
        **CHINESE,
    )
    text = visible_text(response)
    assert "验证你的邮箱地址" in text
    assert "您" not in text
    (message,) = mail.outbox
    assert "您" not in message.subject + message.body


@pytest.mark.django_db
def test_the_chinese_two_factor_step_says_ni(client):
    give_totp(make_user("totp.reader@example.com", password=PASSWORD, language="zh-hans"))
    response = client.post(
        "/accounts/login/", {"login": "totp.reader@example.com", "password": PASSWORD}, follow=True, **CHINESE
    )
    assert response.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"
    text = visible_text(response)
    assert "你的账户已受到双因素身份认证的保护" in text
    assert "您" not in text


@pytest.mark.parametrize(
    ("language", "greeting", "thanks"),
    [("en", "Hello from ConsentCast!", "Thank you for using ConsentCast!"), ("zh-hans", "ConsentCast", "ConsentCast")],
)
def test_account_emails_name_the_portal_and_its_address_not_the_host_asked(
    client, settings, actor, language, greeting, thanks, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://consentcast.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": actor.email}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.content[:300]
    assert response["Location"] == "/accounts/password/reset/done/"
    (message,) = mail.outbox
    assert greeting in message.body
    assert thanks in message.body
    assert "consentcast.example" in message.body
    assert "testserver" not in message.body.split("http")[0]
