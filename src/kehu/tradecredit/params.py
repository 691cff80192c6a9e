"""Rule parameters of trade credit (domain spec 3B L-1..L-6, Appendix A credit.*).

Every number of the limit formula and of the order-time check is a parameter; an approved, effective-dated
``RuleParameter`` row overrides the default (so a peak-season factor can be set for the months it applies).
"""

from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("trade.credit_coef_by_grade", {"A": "1.5", "B": "1.0", "C": "0.6", "D": "0", "E": "0"}, "ratio",
              "proposed", "domain spec L-4 (Appendix A credit.coef_by_grade)",
              "Risk coefficient of the credit-limit formula by grade (1.5 = 150 per cent of the base).", dict),
    ParamSpec("trade.credit_term_days_by_grade", {"A": 60, "B": 45, "C": 30, "D": 0, "E": 0}, "days", "proposed",
              "domain spec L-4 (Appendix A credit.term_days_by_grade)",
              "Credit term by grade; 0 means cash before delivery (款到发货).", dict),
    ParamSpec("trade.credit_seasonal_factor", "1.0", "ratio", "pub_confirmed",
              "domain spec L-3 (public receivables-management template: ±50 per cent for peak or low season)",
              "Seasonal factor applied to every recalculated limit; set an effective-dated value for a season.",
              (str, int, float)),
    ParamSpec("trade.credit_seasonal_factor_range", ["0.5", "1.5"], "ratio", "pub_confirmed",
              "domain spec L-3 (Appendix A credit.seasonal_factor_range)",
              "Lowest and highest seasonal factor the recalculation accepts.", list),
    ParamSpec("trade.credit_sales_months", 12, "months", "pub_confirmed", "domain spec L-2 (avg_monthly_sales_12m)",
              "Months before the grading period whose sales make the average (only months with sales count).",
              int),
    ParamSpec("trade.credit_min_sales_months", 3, "months", "proposed",
              "domain spec L-2 (first-time or scattered buyers normally get no credit)",
              "A customer with sales in fewer of those months is a first-time buyer and gets no credit.", int),
    ParamSpec("trade.credit_no_credit_kinds", ["scattered"], "", "proposed",
              "domain spec L-2 (scattered buyers get no credit)",
              "Customer kinds that never get trade credit.", list),
    ParamSpec("trade.overdue_grace_days", 5, "days", "proposed", "domain spec L-5",
              "An invoice overdue by more than this many days puts every new order on credit hold.", int),
    ParamSpec("trade.release_bands", [["sales_manager", "0.10"], ["finance_manager", "0.30"]], "ratio", "proposed",
              "domain spec L-5", "Who may release a held order, by how far it goes over the limit (as a fraction of "
              "the limit); above the last band, or without a limit, the general manager.", list),
    ParamSpec("trade.overdue_release_authority", "finance_manager", "role", "proposed", "kehu design (L-5)",
              "Who may release an order held because an invoice is overdue beyond the grace period.", str),
    ParamSpec("trade.recalc_chunk_size", 20000, "customers", "proposed", "kehu design (like grading.chunk_size)",
              "Width of the customer-id range one committed chunk of the limit recalculation covers.", int),
]
