"""The HTML deck's template: manim-slides' reveal.js converter, made safe and captioned.

``mlp_lecture.deck`` writes ``DIR/deck.html`` with the converter this module
makes of manim-slides' (:func:`captioned_revealjs`): every free text escaped
where it lands, the clips muted unless narrated, a link to the lesson's
explorable page, and each slide's WebVTT cues (:func:`captions_uri`) as a
``<track kind="captions">`` off until the ``C`` key. :func:`copy_reveal_assets`
puts the reveal.js files the deck links to beside it, so it plays with no
network. Its source is part of the HTML deck's key, as ``deck.py``'s is.
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

from mlp_lecture.explorable.publish import PAGE_FOLDER
from mlp_lecture.revealjs import ensure_revealjs

__all__ = ["CAPTIONS_KEY", "captioned_revealjs", "captions_uri", "copy_reveal_assets"]

CAPTIONS_KEY = "C"  # turns the HTML deck's captions on and off

# The deck's captions: each slide's WebVTT cues ride on the slide's <section> as a
# data: URI (a browser will not load a <track> file beside a deck opened from disk),
# and become a <track kind="captions"> on the slide's background video when it is made.
_CAPTIONS_ATTRIBUTE = (
    "{% if captions and captions[outer_loop.index0][loop.index0] %}"
    'data-captions="{{ captions[outer_loop.index0][loop.index0] | e }}"{% endif %}'
)
# What manim-slides' template writes as it is (its Jinja has no autoescape), made safe:
# every free text HTML-escaped where it lands; the notes plain text, not Markdown (reveal.js'
# Markdown plugin would turn an escaped "<script>" back into markup); and every clip muted
# (they have no sound: an unmuted clip that may not autoplay shows an "Unmute video" button)
# unless the deck is narrated (``narrated``: its clips carry the steps' voices).
_TEMPLATE_EDITS = {
    "<title>{{ title }}</title>": "<title>{{ title | e }}</title>",
    '<aside class="notes" data-markdown>{{ slide_config.notes }}</aside>': (
        '<aside class="notes">{{ slide_config.notes | e }}</aside>'
    ),
    'data-background-image="{{ file }}"': 'data-background-image="{{ file | e }}"',
    'data-background-video="{{ file }}"': 'data-background-video="{{ file | e }}"',
    "{% if loop.index == 1 and outer_loop.index == 1 %}\n          data-background-video-muted": (
        "{% if not narrated %}\n          data-background-video-muted"
    ),
}
# The lesson's explorable page (PAGE_FOLDER, which the render writes beside the deck),
# one click away.
_EXPLORE_LINK = f"""
    <a class="mlp-explore" href="{PAGE_FOLDER}/index.html" target="_blank"
       style="position: fixed; right: 12px; bottom: 10px; z-index: 30; color: #bbb;
              font: 14px system-ui, sans-serif; text-decoration: none;"
       title="every number of the lesson, recomputed as you edit it">Explore the numbers ↗</a>"""
_CAPTIONS_SCRIPT = """
    <script>
      // Captions: a <track kind="captions"> on each slide's video, off until the key is pressed.
      (function () {
        var showing = false;
        function caption(slide) {
          var source = slide && slide.getAttribute("data-captions");
          var background = slide && slide.slideBackgroundElement;
          var video = background && background.querySelector("video");
          if (!source || !video) return;
          var track = video.querySelector("track");
          if (!track) {
            track = document.createElement("track");
            track.kind = "captions";
            track.label = "Captions";
            track.srclang = "en";
            track.src = source;
            video.appendChild(track);
          }
          track.track.mode = showing ? "showing" : "hidden";
        }
        Reveal.on("ready", function (event) { caption(event.currentSlide); });
        Reveal.on("slidechanged", function (event) { caption(event.currentSlide); });
        if (Reveal.isReady()) caption(Reveal.getCurrentSlide());
        Reveal.addKeyBinding(
          {keyCode: %(code)d, key: "%(key)s", description: "Captions on / off"},
          function () { showing = !showing; caption(Reveal.getCurrentSlide()); }
        );
      })();
    </script>
  </body>"""


def captioned_revealjs(revealjs: type) -> type:
    """manim-slides' reveal.js converter, its template given the captions' track."""
    from pydantic import Field

    class CaptionedRevealJS(revealjs):  # type: ignore[misc, valid-type]
        # Per presentation, per slide: the slide's WebVTT cues as a data: URI ("": none).
        captions: list[list[str]] = Field(default_factory=list)
        narrated: bool = False  # the clips speak: not muted

        def load_template(self) -> str:
            template = super().load_template()
            anchor = 'data-background-color="{{ presentation_config.background_color }}"'
            script = _CAPTIONS_SCRIPT % {"code": ord(CAPTIONS_KEY), "key": CAPTIONS_KEY}
            edits = {
                **_TEMPLATE_EDITS,
                anchor: f"{anchor}\n          {_CAPTIONS_ATTRIBUTE}",
                "</body>": _EXPLORE_LINK + script,
            }
            for old, new in edits.items():
                if template.count(old) != 1:
                    raise RuntimeError(
                        f"manim-slides' reveal.js template changed: no single {old!r}"
                    )
                template = template.replace(old, new)
            return template

    return CaptionedRevealJS


def captions_uri(clip: Path) -> str:
    """The clip's WebVTT cues (the file beside it) as a data: URI, or "" without one."""
    cues = clip.with_suffix(".vtt")
    if not cues.is_file():
        return ""
    return "data:text/vtt;charset=utf-8;base64," + base64.b64encode(cues.read_bytes()).decode()


def copy_reveal_assets(html: Path, root: Path, prefix: str) -> None:
    """Copy every reveal.js file the deck links to, from the unpacked npm package."""
    package = ensure_revealjs()
    linked = re.findall(rf'(?:href|src)="{re.escape(prefix)}/([^"]+)"', html.read_text())
    for name in sorted(set(linked)):
        source = package / name
        if not source.is_file():
            raise FileNotFoundError(f"reveal.js has no {name}")
        destination = root / prefix / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
