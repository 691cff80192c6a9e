"""Suitability parameters (domain spec section 9 and Appendix A). Every number from a regulation is here,
with its source; the qualified-investor thresholds are two dated rule versions (2012 and 2018), and the one
in force on the subscription date applies (``rules.version_in_force``)."""

from kehu.core.params import ParamSpec

QI_2012 = {
    # 证券公司集合资产管理业务实施细则 (2012) and 中证协发[2012]206号 (S7); spec M-7, M-8.
    "effective_from": "2012-10-19",
    "person_financial_assets_min": "1000000.00",  # M-8: individual or household financial assets >= ¥1 m
    "person_household_net_assets_min": None,
    "person_income_min": None,
    "person_experience_years_min": 0,
    "entity_net_assets_min": "10000000.00",  # M-8: institution net assets >= ¥10 m
    "single_client_min": "1000000.00",  # M-7: 定向细则 Art.9, single-client net assets >= ¥1 m
    "collective_max_investors": 200,  # M-8: <= 200 qualified investors per collective plan
    "type_minimums": {},
}

QI_2018 = {
    # 证券期货经营机构私募资产管理计划运作管理规定 (2018, in force 2018-10-22); spec M-9.
    "effective_from": "2018-10-22",
    "person_financial_assets_min": "5000000.00",  # household financial assets >= ¥5 m
    "person_household_net_assets_min": "3000000.00",  # household financial net assets >= ¥3 m
    "person_income_min": "400000.00",  # own average income over 3 years >= ¥400k
    "person_experience_years_min": 2,  # >= 2 years of investment experience
    "entity_net_assets_min": "10000000.00",  # net assets >= ¥10 m at last year-end
    "single_client_min": "1000000.00",  # M-7 kept
    "collective_max_investors": 200,  # M-8 kept for collective plans
    "type_minimums": {"fixed_income": "300000.00", "mixed": "400000.00", "equity": "1000000.00",
                      "derivatives": "1000000.00"},
}

PRO_2017 = {
    # 证券期货投资者适当性管理办法 (证监会令第130号, in force 2017-07-01); spec M-11 (natural persons).
    "effective_from": "2017-07-01",
    "financial_assets_min": "5000000.00",
    "income_min": "500000.00",
    "experience_years_min": 2,
    "conversion_financial_assets_min": "3000000.00",
    "conversion_income_min": "300000.00",
    "conversion_experience_years_min": 1,
}

MATRIX = {"C1": ["R1"], "C2": ["R1", "R2"], "C3": ["R1", "R2", "R3"], "C4": ["R1", "R2", "R3", "R4"],
          "C5": ["R1", "R2", "R3", "R4", "R5"]}

FORBIDDEN = ["保本", "保证收益", "最低收益", "稳赚", "保本保息", "零风险", "无风险", "承诺收益", "刚性兑付",
             "保底"]

PLAN_DOCUMENTS = ["report", "plan_docs", "custody", "compliance_opinion", "existing_plans", "undertaking"]

PARAMS = [
    ParamSpec("am.qi_2012", QI_2012, "CNY / investors", "pub_confirmed",
              "证券公司集合资产管理业务实施细则 (2012); 定向细则 Art.9-10; spec M-7, M-8",
              "Qualified-investor thresholds, single-client minimum and investor cap of the 2012 rules.", dict),
    ParamSpec("am.qi_2018", QI_2018, "CNY / years / investors", "pub_confirmed",
              "证券期货经营机构私募资产管理计划运作管理规定 (2018); spec M-9",
              "Qualified-investor thresholds and per-type minimums of the 2018 private-plan rules.", dict),
    ParamSpec("am.pro_investor", PRO_2017, "CNY / years", "pub_confirmed",
              "证券期货投资者适当性管理办法 (2017); spec M-11",
              "Professional-investor thresholds for natural persons, and those of a conversion request.", dict),
    ParamSpec("am.suitability_matrix", MATRIX, "", "pub_confirmed",
              "证券期货投资者适当性管理办法 (2017); spec M-10",
              "Product risk levels each investor class may buy.", dict),
    ParamSpec("am.above_level_policy", "refuse", "refuse | warn_confirm", "proposed", "spec M-10",
              "A sale above the investor's level: refused, or allowed after a written warning and the investor's "
              "confirmation (never for the lowest category).", str),
    ParamSpec("am.risk_assessment_validity", 2, "years", "proposed", "spec M-12",
              "A risk assessment is valid this many years.", int),
    ParamSpec("am.cooling_off_hours", 24, "hours (>= 24)", "pub_to_verify", "spec M-14",
              "Cooling-off after the contract is signed, before the call-back.", int),
    ParamSpec("am.forbidden_phrases", FORBIDDEN, "", "proposed", "定向细则 Art.6; spec M-6",
              "Phrases that promise principal protection or a minimum return; marketing texts containing one "
              "are refused.", list),
    ParamSpec("am.policy_filing_days", 5, "days", "pub_confirmed", "规范 Art.2, Art.5; spec M-1",
              "Policy filing after the qualification or a change.", int),
    ParamSpec("am.plan_filing_days", 5, "days", "pub_confirmed", "规范 Art.6; spec M-2",
              "Collective-plan filing after the plan is set up.", int),
    ParamSpec("am.legacy_policy_filing", 1, "months", "source", "S7 notice item 4; spec M-1",
              "Firms already in the business file their policies within this many months of the notice.", int),
    ParamSpec("am.filing_day_unit", "working_days", "working_days | calendar_days", "pub_to_verify",
              "规范 Art.5-6 (the count of the 5 days to be verified, Appendix D 7)",
              "How the filing days are counted; working days follow the helpdesk's business calendar.", str),
    ParamSpec("am.filing_warn_days", 2, "days", "proposed", "spec M-1 (alert job)",
              "The inbox warns this many days before a filing is due.", int),
    ParamSpec("am.plan_filing_documents", PLAN_DOCUMENTS, "", "pub_confirmed", "规范 Art.6; spec M-2",
              "Documents that must be attached before a plan filing is marked submitted.", list),
    ParamSpec("am.retention_years", 20, "years", "pub_to_verify", "证券期货投资者适当性管理办法; spec M-13",
              "Suitability records are kept at least this many years.", int),
]

# The schedules of the app's jobs (kehu.suitability.jobs reads them).
PARAMS += [
    ParamSpec("am.expire_time", "01:00", "HH:MM (Asia/Shanghai)", "proposed", "domain spec Appendix B",
              "Time of day from which the daily suitability job (assessment expiry, cooling-off ends, filing "
              "alerts) is due.", str),
]
