"""The manual builds, offline, with no broken internal link, and documents what it must.

One Sphinx build per session (``-W``: a warning fails it, as ``make docs``),
into a temporary folder; every built HTML page is then parsed as a browser
reads it (``html.parser``): every relative ``href`` and ``src`` must name a
file of the site and, with a ``#fragment``, an ``id`` on that page; no
script, style sheet or font may come from the network. The generated
reference is held to the code it is generated from, read independently here:
the parser's subcommands and options, the trace's fields (walked from the
records with ``dataclasses``, not through ``mlpmath.schema``).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import typing
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT

SOURCE = ROOT / "docs" / "source"


_ASSET_RELS = {"stylesheet", "preload", "icon", "modulepreload", "prefetch"}


class _Page(HTMLParser):
    """The ids, links (``href``, ``src``) and outside assets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.outside_assets: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("id", "name"):
            if values.get(name) and (name == "id" or tag == "a"):
                self.ids.add(values[name])
        for name in ("href", "src"):
            if name in values:
                self.links.append(values[name])
        asset = ""
        if tag in ("script", "img", "iframe", "video", "audio", "source"):
            asset = values.get("src", "")
        elif tag == "link" and set(values.get("rel", "").split()) & _ASSET_RELS:
            asset = values.get("href", "")
        if asset.startswith(("http:", "https:", "//")):
            self.outside_assets.append(asset)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(SOURCE), str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.fixture(scope="session")
def pages(site: Path) -> dict[Path, _Page]:
    parsed = {}
    for path in sorted(site.rglob("*.html")):
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        parsed[path] = page
    return parsed


def test_the_site_has_its_front_page_and_sections(site, pages):
    assert (site / "index.html").is_file()
    for section in ("tutorials", "howto", "reference", "explanation"):
        assert any(path.parent.name == section for path in pages), section


def test_no_internal_link_is_broken(site, pages):
    broken, checked = [], 0
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue  # outside the site (checked for assets below)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(site)}: {link}"
            checked += 1
            if not target.is_file():
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{where} (no such anchor)")
            assert site in target.parents or target == site, where
    assert not broken, "\n".join(broken)
    assert checked > 20 * len(pages)  # the site's own navigation: dozens a page


def test_the_site_loads_nothing_from_the_network(site, pages):
    """No script, style sheet, font or picture from outside: the site works offline
    (its style sheets' ``url(...)`` and ``@import`` too)."""
    outside = [
        f"{path.name}: {asset}" for path, page in pages.items() for asset in page.outside_assets
    ]
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        for marker in ("url(http", "url(//", "url('http", 'url("http', "@import url(http"):
            if marker in text:
                outside.append(f"{sheet.name}: {marker}")
    assert not outside, outside


def test_every_subcommand_and_option_is_documented(site, pages):
    """Read from the parser here, with argparse's own help: each subcommand has a
    section, and each option string appears on its page."""
    import argparse

    from mlp_lecture.cli import build_parser

    text = " ".join(pages[site / "reference" / "commands.html"].text)
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert subparsers.choices
    for name, sub in subparsers.choices.items():
        assert f"mlp-lecture {name}" in text, name
        for action in sub._actions:
            for option in action.option_strings:
                assert option in text, f"{name} {option}"


def _fields(record: type, prefix: str) -> list[str]:
    paths = []
    hints = typing.get_type_hints(record)
    for item in dataclasses.fields(record):
        path = f"{prefix}.{item.name}" if prefix else item.name
        paths.append(path)
        hint = hints[item.name]
        inner = [a for a in typing.get_args(hint) if dataclasses.is_dataclass(a)]
        if dataclasses.is_dataclass(hint):
            inner = [hint]
        for record_type in inner:
            listed = typing.get_origin(hint) is tuple
            paths.extend(_fields(record_type, f"{path}[i]" if listed else path))
    return paths


class _Sections(HTMLParser):
    """Each ``<h2>`` of a page with the first cell of every table row under it."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None
        self._current = ""
        self._column = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._heading = []
        elif tag == "tr":
            self._column = 0
        elif tag == "td":
            self._column += 1
            if self._column == 1:
                self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None:
            self._current = "".join(self._heading).replace("\N{PILCROW SIGN}", "").strip()
            self.sections[self._current] = []
            self._heading = None
        elif tag == "td" and self._cell is not None:
            self.sections.setdefault(self._current, []).append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        for part in (self._heading, self._cell):
            if part is not None:
                part.append(data)


def test_every_trace_path_of_both_losses_is_documented(site):
    """Every field of every record, walked here from ``Trace`` with ``dataclasses``,
    is a row of the section of its parent path."""
    from mlpmath import Trace

    page = _Sections()
    page.feed((site / "reference" / "trace.html").read_text(encoding="utf-8"))
    documented = set()
    for heading, fields in page.sections.items():
        prefix = heading.split(":")[0].strip() if ":" in heading else ""
        prefix = "" if prefix == "The trace" else prefix
        for letter in "jk":  # nested lists of records are indexed i, j, k
            prefix = prefix.replace(f"[{letter}]", "[i]")
        documented |= {f"{prefix}.{field}" if prefix else field for field in fields}
    expected = _fields(Trace, "")
    assert "network.softmax.probabilities" in expected  # classification
    assert "network.squared_errors" in expected  # regression
    missing = [path for path in expected if path not in documented]
    assert not missing, missing


def test_the_galleries_are_shown(site, pages):
    page = pages[site / "gallery.html"]
    images = [link for link in page.links if link.endswith(".png")]
    shown = {Path(unquote(link)).name for link in images}
    for folder in ("gallery", "gallery-classify"):
        stills = {path.name for path in (ROOT / "docs" / folder).glob("*.png")}
        if folder == "gallery":
            assert stills <= shown, stills - shown
        else:
            assert shown & stills
