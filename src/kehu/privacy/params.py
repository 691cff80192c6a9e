from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("privacy.dsar_sla_working_days", 15, "working days", "proposed",
              "domain spec PI-8 / Appendix A privacy.dsar_sla (GB/T 35273: <= 30 days)",
              "A data-subject request is due this many working days after it is received (business calendar).", int),
    ParamSpec("privacy.dsar_cap_days", 30, "days", "pub_partial", "domain spec PI-8 (hard cap 30 days, GB/T 35273)",
              "A data-subject request is due at the latest this many calendar days after it is received.", int),
    ParamSpec("privacy.sweep_grace_days", 7, "days", "proposed", "issue 16 (a dry-run report before anything is deleted)",
              "The retention sweeper acts on a record only after a dry-run report listed it at least this long ago.",
              int),
    ParamSpec("privacy.refused_change_action", "undo", "undo|flag", "proposed",
              "S3 Art.8 (notify the customer of a change and obtain their consent)",
              "What happens when the customer refuses a change: undo it, or flag it for the customer manager.", str),
    ParamSpec("privacy.change_link_days", 30, "days", "proposed", "S3 Art.8",
              "The answer link in a change notice is valid this many days.", int),
]
