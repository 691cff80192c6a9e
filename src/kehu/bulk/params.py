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
    # Issue 11, defect 3 (an 826 KB XLSX expanded to 324 MiB): checked on the zip directory before reading.
    ParamSpec("bulk.xlsx_max_uncompressed_bytes", 512 * 1024 * 1024, "bytes", "proposed", "issue 11 defect 3",
              "Largest total uncompressed size of the parts of an uploaded XLSX.", int),
    ParamSpec("bulk.xlsx_max_ratio", 100, "x", "proposed", "issue 11 defect 3",
              "Largest compression ratio of one XLSX part above 1 MiB (ordinary sheets compress 5-30x; a zip "
              "bomb hundreds or thousands of times).", int),
    ParamSpec("bulk.import_max_rows", 2_000_000, "rows", "proposed", "issue 11 defect 3; P11 (1,000,000 rows)",
              "Most data rows an import file may have (the XLSX dimension is checked before reading).", int),
    ParamSpec("bulk.import_max_columns", 100, "columns", "proposed", "issue 11 defect 3",
              "Most columns an import file may have.", int),
    ParamSpec("bulk.export_approval_rows", 1000, "rows", "proposed", "domain spec 10.5 (export controls)",
              "A customer export of more rows than this needs a second person's approval.", int),
    ParamSpec("bulk.export_keep_hours", 24, "hours", "proposed", "kehu design (domain spec 10.5: an export does "
              "not stay on the server)", "An export made in the background is kept, sealed, this long for its "
              "requester to download it once; then it is deleted.", int),
    ParamSpec("bulk.job_stale_seconds", 120, "seconds", "proposed", "kehu design",
              "A running import whose last chunk committed longer ago than this has lost its process and may be "
              "resumed.", int),
    ParamSpec("bulk.job_poll_seconds", 2, "seconds", "proposed", "kehu design",
              "How often the import page asks for the job's progress.", int),
]
