from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("service.complaint_regulatory_days", 15, "calendar days", "source",
              "Financial-consumer complaint rules (15 days to decide)", "Regulatory clock for financial consumers.", int),
    ParamSpec("service.complaint_extension_days", 30, "calendar days", "source",
              "Financial-consumer complaint rules (extension 30 + 30 days)", "Each regulatory extension.", int),
    ParamSpec("service.complaint_resolution_working_days", 5, "working days", "proposed", "spec 6.1",
              "Internal complaint resolution target.", int),
    ParamSpec("service.first_response_working_hours", 4, "working hours", "proposed", "spec 6.1; S8 线上服务",
              "First-response target.", int),
    ParamSpec("service.reopen_days", 30, "calendar days", "proposed", "spec 6.2",
              "A closed complaint can be reopened within this many days.", int),
    ParamSpec("service.sla_warn_fractions", ["0.5", "0.8"], "fraction", "source", "Appendix B service.sla_watch",
              "Fractions of the SLA at which the watcher warns.", list),
    ParamSpec("service.allowance_supervisor_limit", "50000.00", "CNY", "proposed", "spec 6.1",
              "Allowances above this amount need a finance officer's approval.", str),
    ParamSpec("service.online_first_reply_working_hours", 2, "working hours", "proposed",
              "spec 6.1 S-13 (线上服务管理制度 一.2 asks for a prompt reply without a number)",
              "First reply to an online conversation.", int),
    ParamSpec("service.online_full_answer_working_days", 1, "working days", "proposed",
              "spec 6.1 S-13 (线上服务管理制度 二.2: follow the process, no unilateral decisions)",
              "Full answer to an online conversation.", int),
]
