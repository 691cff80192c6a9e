"""Work other apps do on a freshly restored database (D-9: the privacy app applies PIPL erasures again)."""

from __future__ import annotations

from collections.abc import Callable

POST_RESTORE: list[Callable] = []


def register_post_restore(hook: Callable) -> None:
    """``hook(using=alias, files_dir=Path, since=datetime) -> dict`` runs after a restore has been checked."""
    if hook not in POST_RESTORE:
        POST_RESTORE.append(hook)
