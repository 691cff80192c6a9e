from kehu.core.params import ParamSpec

PARAMS = [
    ParamSpec("outbox.max_attempts", 5, "attempts", "proposed", "operations (outbox delivery)",
              "A message is tried this many times before it is marked failed.", int),
    ParamSpec("outbox.retry_base_minutes", 5, "minutes", "proposed", "operations (outbox delivery)",
              "Wait before the second attempt; each later attempt waits twice as long as the one before.", int),
    ParamSpec("outbox.sending_stale_minutes", 30, "minutes", "proposed", "operations (outbox delivery)",
              "A message left 'sending' by a process that died is tried again after this long.", int),
]

# The schedules of the app's jobs (kehu.outbox.jobs reads them).
PARAMS += [
    ParamSpec("outbox.dispatch_minutes", 5, "minutes", "proposed", "operations (outbox delivery)",
              "The outbox dispatcher runs once in every window of this many minutes.", int),
]
