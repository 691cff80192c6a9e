"""Rule parameters of activities and follow-ups."""

from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("activities.contact_interval_days", {"A": 30, "B": 45, "C": 60, "D": 90, "E": 180}, "days",
              "proposed", "S9 客户管理办法 Ch.5 (closer care for better grades); kehu design",
              "A customer without a recorded contact for longer than this many days (by its grade) is listed "
              "for its customer manager.", dict),
    ParamSpec("activities.contact_interval_ungraded_days", 60, "days", "proposed", "kehu design",
              "The contact interval of customers without a grade.", int),
]
