"""A course: every student their own lesson, worksheet and answer key, marked automatically.

- :mod:`.course_file`: ``course.toml`` and its roster (:func:`load_course`);
- :mod:`.variants`: each student's lesson drawn from the course's seed and their id
  (:func:`student_lesson`);
- :mod:`.questions`: the worksheet's questions, the one list both the worksheet and
  the grading read (:func:`answer_cells`);
- :mod:`.worksheet`: the student's worksheet and the marker's key;
- :mod:`.grading`: marking the returned worksheets (:func:`grade`, :func:`write_grades`).

Nothing here renders: the ``course`` command's engine (``run.py``) calls these.
"""

from __future__ import annotations

__all__: list[str] = []
