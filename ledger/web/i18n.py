"""The web pages' languages: Simplified Chinese by default, English on request. Error codes from
the commands (ledger.domain.errors.Problem) are shown in the page's language."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, gettext

from ledger.domain.errors import Problem
from ledger.domain.messages import EMPTY, MESSAGES

# The language cookie's values → Babel locales (translations/<locale>/LC_MESSAGES).
LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "lang"


def language() -> str:
    """The page's language: the cookie's value when known, else Chinese."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def select_locale() -> str:
    return LANGUAGES[language()]


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_locale=LANGUAGES[DEFAULT_LANGUAGE],
          default_translation_directories="translations")


def problem_text(message: str) -> str:
    """A refusal in the current language (its code's text, translated, with its parameters;
    parameters that are words of the domain's vocabularies — 'agreement', 'draft' — too); an
    empty value, whichever field type refused it, as "Required." (不能为空)."""
    if not isinstance(message, Problem):
        return message
    if message.code in EMPTY:
        return gettext(MESSAGES["field.empty"])
    from ledger.web.labels import label  # labels are lazy texts of this same catalog
    params = dict(message.params)
    for name in WORD_PARAMS.intersection(params):
        if isinstance(params[name], str):
            separator = "、" if language() == "zh" else ", "
            params[name] = separator.join(label(word) for word in params[name].split(", "))
    return gettext(MESSAGES[message.code]).format(**params)


# The parameters of ledger.domain.messages that hold words of the vocabularies (never names
# or codes a user typed): shown translated.
WORD_PARAMS = {"what", "status", "stage", "action", "body", "allowed", "level", "implied"}
