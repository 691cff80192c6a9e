from kehu.core.params import ParamSpec

PARAMS = [
    # Reception hours (S2 §2, Mon-Fri 08:30-12:00 and 13:30-17:30) are the business calendar's working hours
    # (kehu.core.calendar: WorkingHours and CalendarOverride, chinese-calendar holidays and make-up days): one calendar.
    ParamSpec("reception.overstay_grace_minutes", 15, "minutes", "proposed", "domain spec 7 V-4 (expected length of stay)",
              "A visitor still in the building this long after the expected end of the stay counts as an overstay.",
              int),
    ParamSpec("reception.registration_retention_days", 180, "days", "proposed",
              "domain spec 7 V-9 (PIPL Art.6 and Art.19)",
              "Registration data of a visit not linked to a customer is deleted this many days after the visit.",
              int),
    ParamSpec("reception.vip_checklist", ["escort", "refreshments", "senior_greeting"], "", "proposed",
              "domain spec 7 V-5 (S2 §5(3): VIP guests get extra attentive service)",
              "Items ticked for a VIP visit before the visitor checks out.", list),
    ParamSpec("reception.safety_check_interval_months", 1, "months", "proposed", "domain spec 7 V-7 (S2 §6)",
              "Default interval of a recurring safety check of the reception area.", int),
    ParamSpec("reception.max_stay_minutes", 480, "minutes", "proposed", "domain spec 7 V-4",
              "Longest expected length of stay that can be registered.", int),
]
