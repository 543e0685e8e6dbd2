"""The web pages' languages: Simplified Chinese by default, English on request. Error codes from
the commands (ledger.domain.errors.Problem) are shown in the page's language."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, gettext

from ledger.domain.errors import Problem
from ledger.domain.messages import MESSAGES

# The language cookie's values → Babel locales (translations/<locale>/LC_MESSAGES).
LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    return LANGUAGES.get(request.cookies.get(LANGUAGE_COOKIE, ""), LANGUAGES[DEFAULT_LANGUAGE])


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_locale=LANGUAGES[DEFAULT_LANGUAGE],
          default_translation_directories="translations")


def problem_text(message: str) -> str:
    """A refusal in the current language (its code's text, translated, with its parameters)."""
    if not isinstance(message, Problem):
        return message
    return gettext(MESSAGES[message.code]).format(**message.params)
