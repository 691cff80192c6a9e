class OutboxEvent:
    """Audit codes of the outbox (75xx)."""

    MESSAGE_QUEUED = 7501
    MESSAGE_SENT = 7502
    MESSAGE_FAILED = 7503
    LINK_ISSUED = 7510
    LINK_REDEEMED = 7511

