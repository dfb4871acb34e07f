"""The scene toolkit: what every lecture scene is built from.

- ``lecture_scene``: ``LectureScene``, the base of every scene (steps, captions, the ledger);
- ``traced``: the only pieces that put numbers on screen, each recorded in the ledger;
- ``diagrams``, ``notation``, ``learning``: shared pictures and the lecture's notation;
- ``style``: colours, sizes and spacing, by name;
- ``ledger``: what a scene showed, and the ledger file's format (no manim);
- ``context``: which lesson a scene shows (no manim);
- ``audit``: checks that every number shown comes from the trace.

Importing this package imports nothing: ``ledger`` and ``context`` stay free
of manim, so the command line can use them and start fast.
"""
