"""Backup parameters (domain spec 11 and Appendix A); every number can be changed by an approved RuleParameter."""

from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("backup.full_weekday", 6, "weekday (0=Mon)", "source",
              "domain spec D-5 (PBOC branch rule: full backup at least weekly; ops.backup_full Sunday 02:00)",
              "Day of the week of the weekly full backup.", int),
    ParamSpec("backup.at_hour", 2, "hour", "proposed", "domain spec D-5 / Appendix B (02:00)",
              "Local hour after which the day's backup is due.", int),
    ParamSpec("backup.keep_daily", 35, "sets", "proposed", "domain spec D-8 (35 daily + 12 monthly + 7 yearly)",
              "Newest daily backup sets kept.", int),
    ParamSpec("backup.keep_monthly", 12, "sets", "proposed", "domain spec D-8",
              "Months for which the newest set of the month is kept.", int),
    ParamSpec("backup.keep_yearly", 7, "sets", "proposed", "domain spec D-8 (D-6: one full set kept long-term)",
              "Years for which the newest set of the year is kept.", int),
    ParamSpec("backup.max_age_hours", 26, "hours", "proposed", "domain spec D-8 (alert if last backup > 26 h old)",
              "The system administrator is warned when the last good backup is older than this.", int),
    ParamSpec("backup.rto_hours", 4, "hours", "proposed", "domain spec D-8 (RTO <= 4 h)",
              "Recovery time objective a restore drill is timed against.", int),
]
