from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("service.complaint_regulatory_days", 15, "calendar days", "source",
              "Financial-consumer complaint rules (15 days to decide)", "Regulatory clock for financial consumers.", int),
    # Domain spec S-6 (银行业保险业消费投诉处理管理办法, 银保监会令2020年第3号, Art. 23): decided within 15 days; a
    # complex one within 30 days in all; a particularly complex one extended by another 30 days with a senior
    # approval, 60 days at most from receipt. Every limit counts calendar days from receipt.
    ParamSpec("service.complaint_complex_days", 30, "calendar days", "source",
              "银保监会令2020年第3号 Art. 23 (a complex complaint: 30 days in all)",
              "A complex complaint (first extension) is decided within this many days of receipt in all.", int),
    ParamSpec("service.complaint_extension_days", 30, "calendar days", "source",
              "银保监会令2020年第3号 Art. 23 (a particularly complex one: another 30 days)",
              "The second, senior-approved extension adds this many days to the complex-complaint limit.", int),
    ParamSpec("service.complaint_max_days", 60, "calendar days", "source",
              "银保监会令2020年第3号 Art. 23 (60 days at most)",
              "No extension takes a complaint beyond this many days from receipt.", int),
    ParamSpec("service.complaint_resolution_working_days", 5, "working days", "proposed", "spec 6.1",
              "Internal complaint resolution target.", int),
    ParamSpec("service.first_response_working_hours", 4, "working hours", "proposed", "spec 6.1; S8 线上服务",
              "First-response target.", int),
    ParamSpec("service.reopen_days", 30, "calendar days", "proposed", "spec 6.2",
              "A closed complaint can be reopened within this many days.", int),
    # Domain spec S-2 (complaint analysis): a customer complaining again about the same thing is flagged.
    # The spec names no numbers; these are the analysis page's proposed defaults.
    ParamSpec("service.repeat_complaint_window_days", 90, "calendar days", "proposed",
              "spec 6.1 S-2 (complaint analysis: repeat complaints)",
              "重复投诉统计期（天）: complaints of one customer in one category within this many days count together.",
              int),
    ParamSpec("service.repeat_complaint_threshold", 2, "complaints", "proposed",
              "spec 6.1 S-2 (complaint analysis: repeat complaints)",
              "重复投诉次数: this many complaints of one customer in one category within the period are repeat "
              "complaints.", int),
    ParamSpec("service.sla_warn_fractions", ["0.5", "0.8"], "fraction", "source", "Appendix B service.sla_watch",
              "Fractions of the SLA at which the watcher warns.", list),
    # Domain spec S-12 bands (thresholds [PROPOSED]). An allowance belongs to the lowest band whose amount
    # AND share it both stays within (rules.allowance_band); above band 2 the general manager signs too.
    ParamSpec("service.allowance_band1_max_amount", "10000.00", "CNY", "proposed",
              "spec 6.1 S-12 (band 1: <= 1 % of the invoice or <= ¥10k -> sales manager)",
              "Largest allowance the sales manager approves alone (with the band-1 share).", str),
    ParamSpec("service.allowance_band1_max_percentage", "1", "% of invoice", "proposed",
              "spec 6.1 S-12 (band 1: <= 1 % of the invoice or <= ¥10k -> sales manager)",
              "Largest share of the invoice the sales manager approves alone (with the band-1 amount).", str),
    ParamSpec("service.allowance_band2_max_amount", "100000.00", "CNY", "proposed",
              "spec 6.1 S-12 (band 2: <= 5 % or <= ¥100k -> sales VP and finance)",
              "Largest allowance the sales manager and the finance manager approve together; above it, or "
              "above the band-2 share, the general manager signs as well.", str),
    ParamSpec("service.allowance_band2_max_percentage", "5", "% of invoice", "proposed",
              "spec 6.1 S-12 (band 2: <= 5 % or <= ¥100k -> sales VP and finance)",
              "Largest share of the invoice the sales manager and the finance manager approve together.", str),
    ParamSpec("service.online_first_reply_working_hours", 2, "working hours", "proposed",
              "spec 6.1 S-13 (线上服务管理制度 一.2 asks for a prompt reply without a number)",
              "First reply to an online conversation.", int),
    ParamSpec("service.online_full_answer_working_days", 1, "working days", "proposed",
              "spec 6.1 S-13 (线上服务管理制度 二.2: follow the process, no unilateral decisions)",
              "Full answer to an online conversation.", int),
    ParamSpec("service.return_supervisor_limit", "10000.00", "CNY", "proposed", "spec 6.1 S-11 (approval by amount)",
              "Returns up to this amount are authorised by a service supervisor; above it a finance officer.", str),
    ParamSpec("service.return_gm_threshold", "50000.00", "CNY", "proposed", "spec 6.1 S-11 (GM threshold ¥50,000)",
              "Returns above this amount need the general manager (role general_manager).", str),
    # Domain spec P-4: a survey score <= 2 opens a follow-up case with its own time limit [PROPOSED].
    ParamSpec("service.dissatisfaction_first_response_working_hours", 4, "working hours", "proposed",
              "spec 8 P-4 (a low survey score opens a follow-up case)",
              "First contact with a customer who gave a low satisfaction score.", int),
    ParamSpec("service.dissatisfaction_resolution_working_days", 3, "working days", "proposed",
              "spec 8 P-4 (a low survey score opens a follow-up case)",
              "Closing the follow-up of a low satisfaction score.", int),
]

# The schedules of the app's jobs (kehu.helpdesk.jobs reads them).
PARAMS += [
    ParamSpec("service.sla_watch_minutes", 15, "minutes", "source", "Appendix B service.sla_watch",
              "The scheduled SLA watcher runs once in every window of this many minutes.", int),
]
