"""The compile request, read as jobc writes it.

jobc starts the plugin with the run and writes each job's IR as soon as it has checked the job, so
reading the request job by job lets the plugin compile one job while jobc still checks the next.
The request is one JSON object either way (docs/plugins.md); this reader hands each element of its
``jobs`` list over as soon as the element is complete and keeps every other member whole. The JSON
rules are ``ir_json.load``'s: no key twice in an object, no NaN or infinity.
"""

from __future__ import annotations

import codecs
import json
import os
from typing import Any, Callable

from .ir_json import IRError, json_decoder

_WHITESPACE = " \t\n\r"
_CHUNK = 1 << 20


class RequestError(Exception):
    """Standard input is not a compile request this plugin can answer job by job."""


class RequestReader:
    """Reads one JSON object from a file descriptor as its bytes arrive.

    ``members`` fills with the object's members as they are read, but for a ``jobs`` list: its
    elements go to ``on_job`` in order, each as soon as it is complete, and ``jobs_read`` counts them
    (None when there was no such list).
    """

    def __init__(self, fd: int, on_job: Callable[[Any], None], what: str = "a jobc compile request"):
        self._fd = fd
        self._on_job = on_job
        self._what = what
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json_decoder()
        self._text = ""
        self._pos = 0
        self._dropped = 0  # characters read and dropped from the front of _text
        self._end_of_input = False
        self.members: dict[str, Any] = {}
        self.jobs_read: int | None = None

    def read(self) -> None:
        """Reads the whole object (RequestError when the input is not one)."""
        if self._next_char() != "{":
            self._value()  # the reason when it is not JSON at all
            raise RequestError("the compile request must be a JSON object")
        self._pos += 1
        keys = set()
        if self._next_char() == "}":
            self._pos += 1
        else:
            while True:
                key = self._value()
                if not isinstance(key, str):
                    raise self._error("expected a key in double quotes")
                if key in keys:
                    raise RequestError(f"standard input is not {self._what} as JSON: duplicate key {key!r}")
                keys.add(key)
                self._expect(":")
                if key == "jobs" and self._next_char() == "[":
                    self.jobs_read = self._jobs()
                else:
                    self.members[key] = self._value()
                if self._separator("}"):
                    break
        if self._next_char() != "":
            raise self._error("extra data after the request")

    def _jobs(self) -> int:
        """The ``jobs`` list, each element handed to ``on_job`` as soon as it is read: its count."""
        self._pos += 1
        count = 0
        if self._next_char() == "]":
            self._pos += 1
            return count
        while True:
            self._on_job(self._value())
            count += 1
            if self._separator("]"):
                return count

    def _separator(self, close: str) -> bool:
        """Past a ``,`` (False) or ``close`` (True)."""
        char = self._next_char()
        if char not in (",", close):
            raise self._error(f"expected ',' or '{close}'")
        self._pos += 1
        return char == close

    def _expect(self, char: str) -> None:
        if self._next_char() != char:
            raise self._error(f"expected '{char}'")
        self._pos += 1

    def _next_char(self) -> str:
        """The next character that is not whitespace, not consumed; "" at the end of the input."""
        while True:
            text, pos = self._text, self._pos
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            self._pos = pos
            if pos < len(text):
                return text[pos]
            if not self._fill():
                return ""

    def _value(self) -> Any:
        """The JSON value at the read position, reading more input until it is complete."""
        first = self._next_char()
        # Reading until a value is complete retries only once the text has doubled, so a value
        # arriving in many small pieces is parsed a bounded number of times.
        retry_at = 0
        while True:
            if len(self._text) - self._pos >= retry_at or self._end_of_input:
                try:
                    value, end = self._decoder.raw_decode(self._text, self._pos)
                except json.JSONDecodeError as error:
                    if self._end_of_input:
                        raise self._error(error.msg, error.pos) from None
                    retry_at = 2 * (len(self._text) - self._pos)
                except IRError as error:
                    raise RequestError(f"standard input is not {self._what} as JSON: {error}") from None
                else:
                    # A number or a literal that ends with the text read so far may go on in the next piece.
                    if end < len(self._text) or self._end_of_input or first in '{["':
                        self._pos = end
                        return value
            if not self._fill():
                continue  # the end of the input: one last attempt says what is wrong

    def _fill(self) -> bool:
        """Reads what the pipe holds (waiting for some): False at the end of the input."""
        if self._end_of_input:
            return False
        chunk = os.read(self._fd, _CHUNK)
        try:
            more = self._utf8.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            raise RequestError(f"standard input is not UTF-8: {error}") from None
        # What was parsed is dropped: the text holds at most the value being read and the new piece.
        self._dropped += self._pos
        self._text, self._pos = self._text[self._pos:] + more, 0
        if not chunk:
            self._end_of_input = True
        return bool(chunk)

    def _error(self, message: str, pos: int | None = None) -> RequestError:
        where = self._dropped + (self._pos if pos is None else pos)
        return RequestError(f"standard input is not {self._what} as JSON: {message} at character {where}")
