"""Read a page's forms the way a browser would submit them, so tests (and the load
benchmark) post exactly what a person sees (hidden management fields, revision, current
values) and change only what they are about."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """Every <form> of a page with the fields a browser would submit: inputs (checked boxes
    only), selects with their selected options (a single select without one submits its
    first), textareas. Rows inside <template> are the JavaScript's blank row, never sent."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._template = 0
        self._select: dict | None = None
        self._textarea: tuple[str, list[str]] | None = None
        # For page_form_targets: each form's own attributes, the page's links.
        self.form_attrs: list[dict] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._template += 1
        if self._template:
            return
        if tag == "form":
            self._form = []
            self.forms.append(self._form)
            self.form_attrs.append(a)
            return
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self._form.append((name, a.get("value") or default))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_endtag(self, tag):
        if tag == "template":
            self._template -= 1
        if self._template:
            return
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            if self._form is not None:
                self._form.extend((self._select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            if self._form is not None:
                # Browsers drop the one newline that follows <textarea>.
                self._form.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None and not self._template:
            self._textarea[1].append(data)


def page_forms(html: str) -> list[list[tuple[str, str]]]:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def page_form_targets(html: str) -> tuple[list[tuple[dict, list[tuple[str, str]]]], list[str]]:
    """The page's forms with their attributes (action, method, enctype), and its links'
    addresses, as written in the page."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return list(zip(reader.form_attrs, reader.forms, strict=True)), reader.links


def form_data(response) -> dict:
    """The values the page's forms would submit: a plain dict, lists for multiple values."""
    data: dict[str, list[str]] = {}
    for form in page_forms(response.content.decode()):
        for name, value in form:
            # Not the page's other forms: language switch, log-out, sign-in-again dialog.
            if name not in {"csrfmiddlewaretoken", "language", "next", "username", "password"}:
                data.setdefault(name, []).append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def add_row(data: dict, prefix: str, **values) -> dict:
    """Append a row to formset ``prefix`` as the page's "add a row" button does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    return data
