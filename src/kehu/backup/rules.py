"""Pure rules of the backup app: which sets retention keeps, whether the last backup is too old.

No ORM and no clock: the sets and the time are passed in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


def sets_to_keep(sets: list[tuple[int, date]], *, daily: int, monthly: int, yearly: int) -> set[int]:
    """Grandfather-father-son retention (domain spec D-8: 35 daily, 12 monthly, 7 yearly by default).

    ``sets`` are (id, day the set was made). Kept: the newest set of each of the ``daily`` newest days that
    have a set, the newest set of each of the ``monthly`` newest months, and of each of the ``yearly`` newest
    years. The newest set is always kept (D-6: at least one full backup is always there).
    """
    ordered = sorted(sets, key=lambda s: (s[1], s[0]), reverse=True)
    keep: set[int] = set()
    for width, key in ((daily, lambda d: d), (monthly, lambda d: (d.year, d.month)), (yearly, lambda d: d.year)):
        seen = []
        for set_id, day in ordered:
            bucket = key(day)
            if bucket in seen:
                continue
            if len(seen) >= width:
                break
            seen.append(bucket)
            keep.add(set_id)
    if ordered:
        keep.add(ordered[0][0])
    return keep


def backup_is_stale(last_good: datetime | None, now: datetime, *, max_age_hours: int) -> bool:
    """True when there is no good backup or the newest is older than ``max_age_hours`` (D-8: 26 h)."""
    return last_good is None or now - last_good > timedelta(hours=max_age_hours)


def weekly_slot(now: datetime, *, weekday: int, hour: int) -> str:
    """The date of the latest ``weekday`` at ``hour`` not after ``now`` (so a missed run catches up once)."""
    day = now.date() - timedelta(days=(now.weekday() - weekday) % 7)
    if day == now.date() and now.hour < hour:
        day -= timedelta(days=7)
    return day.isoformat()


def quarter_slot(now: datetime) -> str:
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"
