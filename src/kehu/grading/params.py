"""Rule parameters of customer grading (domain spec Appendix A, grading.*)."""

from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("grading.scale_max", 100, "points", "source", "S9 Ch.5 §1; domain spec G-2",
              "Grades are scored on a 100-point scale.", int),
    ParamSpec("grading.weights", {"volume": 30, "fulfilment": 25, "payment": 30, "operating": 15}, "points",
              "proposed", "domain spec G-6 (the source's scoring table is cut off)",
              "Weights of purchase volume, contract fulfilment, payment and operating status in the default "
              "scorecard; a \"financial\" weight adds the financial indicator fed from the customer's yearly "
              "statements (S9 Ch.5 §1: operating and financial status), the weights still adding up to 100.",
              dict),
    ParamSpec("grading.bands", [["A", 90], ["B", 80], ["C", 70], ["D", 60]], "points", "proposed",
              "domain spec G-7", "Lower bounds of grades A-D in the default scorecard; below D is E.", list),
    ParamSpec("grading.volume_full_amount", "1000000.00", "CNY", "proposed", "domain spec G-6 (V_full)",
              "Monthly purchase volume that earns the full volume score in the default scorecard.",
              (str, int, float)),
    ParamSpec("grading.fulfilment_floor", "0.8", "ratio", "proposed", "domain spec G-6",
              "A contract-fulfilment rate below this scores 0.", (str, int, float)),
    ParamSpec("grading.overdue_lookback_days", 365, "days", "proposed", "kehu design",
              "Invoices due this long before the period end still count for the longest overdue.", int),
    ParamSpec("grading.litigation_lookback_days", 365, "days", "proposed", "domain spec G-8",
              "A lawsuit for unpaid goods within this many days caps the grade.", int),
    ParamSpec("grading.require_facts", True, "yes/no", "proposed",
              "S9 Ch.5 §1 and domain spec G-1 (graded on the previous month's status; a month without any "
              "fact of the customer has no status to grade)",
              "A customer with no fact in month M-1 (no purchase, no delivery or invoice due, nothing overdue, "
              "no disqualifying event) is not graded for M; off, it is scored like the others.", bool),
    ParamSpec("grading.override_max_steps", 1, "grades", "proposed", "domain spec G-8",
              "A manual override moves a grade by at most this many steps.", int),
    ParamSpec("grading.exit_consecutive_e", 2, "months", "proposed", "domain spec G-9",
              "Consecutive months at E that start the exit review and terminate the cooperation.", int),
    ParamSpec("grading.schedule_working_day", 5, "working day of the month", "proposed", "domain spec G-1",
              "The scheduled monthly run grades the month on this working day (China's calendar).", int),
    ParamSpec("grading.schedule_time", "02:00", "HH:MM (Asia/Shanghai)", "proposed", "kehu design",
              "Time of day from which the scheduled monthly run is due.", str),
    ParamSpec("grading.chunk_size", 20000, "customers", "proposed", "kehu design (P7)",
              "Width of the customer-id range one committed chunk of the run covers.", int),
]
