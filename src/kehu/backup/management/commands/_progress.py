"""Rich progress bars on stderr for the backup commands (the same look as ``kehu keys reencrypt``)."""

from kehu.core.progress import ProgressBars  # noqa: F401
