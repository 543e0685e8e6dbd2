"""Reading a JSON request body without letting it cost more than its size.

Python's own `json.loads` answers a body nested 3,000 deep with RecursionError, an integer of
5,000 digits with ValueError, and gives back a lone surrogate ("\\ud800") that the database
driver then cannot encode: each was a 500. Here every such body is invalid JSON — a
`json.JSONDecodeError`, which Flask (`request.get_json`) and webargs (the views' arguments) both
answer with 400 and the usual error body:

- the bytes must be UTF-8 (not UTF-16/32, which `json.loads` would guess);
- integers have at most `limits.JSON_INTEGER_DIGITS` digits; NaN and Infinity are not JSON;
- arrays and objects nest at most `limits.JSON_DEPTH` deep;
- no string (key or value) holds a lone surrogate.

The size of the body itself is bounded before it is read (MAX_CONTENT_LENGTH, 413)."""

from __future__ import annotations

import json
import re

from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from ledger.domain import limits

# A \u escape of a surrogate code point (D800–DFFF), the only way one can enter a JSON text
# that is valid UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse(reason: str, doc: str) -> json.JSONDecodeError:
    # A non-empty `doc`: webargs takes an error with doc == "" for an empty body.
    return json.JSONDecodeError(reason, doc or " ", 0)


def _integer(digits: str) -> int:
    if len(digits) - digits.startswith("-") > limits.JSON_INTEGER_DIGITS:
        raise ValueError(f"an integer has more than {limits.JSON_INTEGER_DIGITS} digits")
    return int(digits)


def _constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _check_depth(value: object, text: str) -> None:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.JSON_DEPTH:
            raise _refuse(f"nested deeper than {limits.JSON_DEPTH} levels", text)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def loads(data: bytes | str) -> object:
    """The value of a JSON request body, or json.JSONDecodeError saying what is wrong."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _refuse(f"not UTF-8 (byte {err.start})", "<bytes>") from None
    else:
        text = data
    try:
        value = json.loads(text, parse_int=_integer, parse_constant=_constant)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _refuse(f"nested deeper than {limits.JSON_DEPTH} levels", text) from None
    except ValueError as err:
        raise _refuse(str(err), text) from None
    if isinstance(value, (dict, list)):
        _check_depth(value, text)
    if _SURROGATE_ESCAPE.search(text):  # a pair is one character; a lone one cannot be stored
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise _refuse("a string holds a lone surrogate (\\ud800–\\udfff)", text) from None
    return value


class JSONProvider(DefaultJSONProvider):
    """The app's JSON: request bodies read by `loads` above; Chinese stays readable in answers."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs) -> object:
        return loads(s)


class Parser(FlaskParser):
    """webargs' parser of the API's arguments, reading JSON bodies with `loads` above."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return loads(req.get_data(cache=True))
