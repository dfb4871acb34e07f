"""The ``mlp-lecture`` subcommands, one module per group.

Each module exposes ``add_parsers(subcommands)``, which registers its
subcommands on the parser's subcommand set and binds each to the function
that runs it (``set_defaults(run=...)``). :mod:`mlp_lecture.cli` only
assembles them, so a new group is one new module here plus one entry in its
list. :mod:`mlp_lecture.commands.common` holds what the groups share: the
one-line :class:`~mlp_lecture.commands.common.UserError`, the shared
arguments, and running a render under the live display.

Modules import their heavy dependencies inside the functions that need
them: ``mlp-lecture trace`` with a warm cache imports neither torch nor
Manim.
"""

from __future__ import annotations

__all__: list[str] = []
