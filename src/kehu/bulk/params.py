"""Parameters of imports and exports (kehu design numbers, all changeable through the parameter registry)."""

from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("bulk.import_chunk_rows", 2000, "rows", "proposed", "kehu design (P11)",
              "Rows committed together with their ledger row; a crash loses at most this many rows of work.", int),
    ParamSpec("bulk.import_workers", 0, "processes", "proposed", "kehu design (P11)",
              "Processes that validate rows while this one writes (0: as many as CPUs, at most 4; 1: validate in "
              "the writing process). The writer waits on the database much of the time, so on 2 CPUs 2 workers "
              "measured 1.6x faster than none.", int),
    ParamSpec("bulk.import_max_bytes", 200 * 1024 * 1024, "bytes", "proposed", "kehu design",
              "Largest file accepted by the import page and API.", int),
    ParamSpec("bulk.job_stale_seconds", 120, "seconds", "proposed", "kehu design",
              "A running import whose last chunk committed longer ago than this has lost its process and may be "
              "resumed.", int),
    ParamSpec("bulk.job_poll_seconds", 2, "seconds", "proposed", "kehu design",
              "How often the import page asks for the job's progress.", int),
]
