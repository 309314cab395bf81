"""The forms of a page as a browser would submit them: action, fields and their values."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.textarea: str | None = None
        self.in_button = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form":
            self.current = Form(action=a.get("action") or "")
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.current.fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.current.fields[self.textarea or ""] = ""
        elif tag == "select":
            self.current.fields.setdefault(a.get("name") or "", "")
            self._select = a.get("name")
        elif tag == "option" and "selected" in a:
            self.current.fields[self._select or ""] = a.get("value") or ""
        elif tag == "button":
            self.in_button = True
            self.current.buttons.append("")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "button":
            self.in_button = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.current is None:
            return
        self.current.text += data
        if self.textarea:
            # Django writes a newline after <textarea>, which browsers drop.
            self.current.fields[self.textarea] += (
                data.removeprefix("\n") if not self.current.fields[self.textarea] else data
            )
        if self.in_button:
            self.current.buttons[-1] += data.strip()


def forms_in(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_with_button(html: str, button: str) -> Form:
    found = [f for f in forms_in(html) if any(button in b for b in f.buttons)]
    assert found, f"no form with a button {button!r}"
    return found[0]
