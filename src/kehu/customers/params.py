"""The rule parameters of the customer archive and the admission review (registered from
``CustomersConfig.ready()``; the values in force come from ``kehu.core.params.get_param``)."""

from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec(
        "admission.committee_quorum", 2, "members", "proposed", "S9 Ch.2 §1 (committee approves the list)",
        "Distinct committee members whose approval qualifies a customer (or whose rejection rejects it).", int,
    ),
    ParamSpec(
        "admission.required_departments",
        ["enterprise_mgmt", "production", "finance", "audit", "safety_env"],
        "", "source", "S9 Ch.4 §6; domain spec C-8",
        "Departments that must record an opinion before the committee decides.", list,
    ),
    ParamSpec(
        "admission.required_licences",
        {"enterprise": ["business_licence"], "financial_institution": ["business_licence", "financial_licence"],
         "individual": [], "scattered": []},
        "", "source", "S9 Ch.4 §3-4; domain spec C-7",
        "Licence types that must be on file and valid, per customer kind.", dict,
    ),
    ParamSpec(
        "admission.volume_capital_ratio", 10, "x", "proposed", "domain spec C-7",
        "Expected annual volume above this multiple of registered capital needs a justification.", (int, float),
    ),
    ParamSpec(
        "customers.licence_expiry_warning_days", 30, "days", "proposed", "domain spec C-7, Appendix B",
        "Licences expiring within this many days are flagged.", int,
    ),
]
PARAMS += [
    ParamSpec("customers.timeline_page_size", 50, "entries", "proposed", "kehu design",
              "Entries per page of a customer's timeline (keyset pages).", int),
]
