"""Rule parameters of bank credit lines (domain spec Appendix A, bankline.*)."""

from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("bankline.min_rating_for_mcl", "A", "rating", "source", "S5 (ABC notice) item 1; domain spec B-2",
              "Only customers rated at or above this level may get a comprehensive credit line.", str),
    ParamSpec("bankline.k_rating", {"AAA": 1.0, "AA": 0.9, "A": 0.8, "BBB": 0.6, "BB": 0.4, "B": 0, "CCC": 0,
                                    "CC": 0, "C": 0},
              "", "proposed", "domain spec B-6", "Rating factor K of the formula method.", dict),
    ParamSpec("bankline.target_share", "0.4", "ratio", "proposed", "domain spec B-6",
              "Target share of the customer's bank credit (formula method).", (str, int, float)),
    ParamSpec("bankline.default_industry_debt_ratio", "0.7", "ratio", "proposed", "domain spec B-6",
              "Acceptable industry debt ratio D* used when none is given.", (str, int, float)),
    ParamSpec("bankline.validity_months", 12, "months", "proposed", "domain spec B-8",
              "Default validity of a credit line.", int),
    ParamSpec("bankline.expiry_warning_days", 60, "days", "proposed", "domain spec B-8, Appendix B",
              "Lines expiring within this many days are listed for renewal.", int),
    ParamSpec("bankline.reservation_ttl_hours", 72, "hours", "proposed", "kehu design (exposure guard)",
              "A reservation not posted within this time expires and frees the line.", int),
    ParamSpec("bankline.authority_matrix", [
        {"level": 2, "product": "", "min_rating": "A", "collateral": "mortgage", "min_mortgage_share_pct": 70,
         "max_amount": "80000000.00"},
        {"level": 2, "product": "", "min_rating": "A", "collateral": "", "max_amount": "30000000.00"},
        {"level": 1, "product": "", "min_rating": "A", "collateral": "", "max_amount": "500000000.00"},
        {"level": 0, "product": "", "min_rating": "", "collateral": "", "max_amount": None},
    ], "", "proposed",
        "domain spec B-7 (中国农业银行宁波市分行2010年度转授权方案: sub-branch ¥80m with ≥70% mortgage)",
        "Authority matrix: org level (0 head office, 1 branch, 2 sub-branch) × product × rating × collateral → "
        "maximum amount; requests are routed to the lowest level with authority.", list),
]

# The schedules of the app's jobs (kehu.credit.jobs reads them).
PARAMS += [
    ParamSpec("credit.expire_time", "00:30", "HH:MM (Asia/Shanghai)", "proposed", "kehu design",
              "Time of day from which the daily expiry of reservations and lines is due.", str),
]
