"""Rich progress bars on stderr for the backup commands (the same look as ``kehu keys reencrypt``)."""

from kehu.cli import _ProgressBars as ProgressBars  # noqa: F401
