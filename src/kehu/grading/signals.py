"""What grading tells the apps above it (issue 12, item 3: grading calls none of them by name).

``run_closed`` is sent once a month's run is closed and its grades are in force, before the exit reviews
are opened; arguments ``actor`` (the user who closed it, or None for the scheduler) and ``period`` (the
first day of the graded month). Trade credit recalculates its limits from the new grades on it
(credit.recalc_after_grading). A receiver that raises makes the close fail with it, as the direct call did.
"""

from django.dispatch import Signal

run_closed = Signal()
