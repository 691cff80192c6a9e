"""Rich progress bars on stderr for long operator commands (``kehu demo``, ``kehu keys reencrypt``, backups).

In core so that an app's management commands can use them without importing ``kehu.cli``, the top of the
import order (issue 12, item 4; docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def stderr_console() -> Console:
    # rich loads only for an operator's progress bar
    from rich.console import Console

    return Console(stderr=True)


class ProgressBars:
    """Adapts ``progress(task, done, total)`` callbacks to rich progress bars on stderr."""

    def __init__(self) -> None:
        # rich loads only for an operator's progress bar
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=stderr_console(),
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> ProgressBars:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, task: str, done: int, total: int) -> None:
        if task not in self.tasks:
            self.tasks[task] = self.progress.add_task(task, total=total)
        self.progress.update(self.tasks[task], completed=done, total=total)
