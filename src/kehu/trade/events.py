"""Audit event codes of the trade facts (4701-4749). Never renumber.

Trade credit (limits, orders, holds) keeps its own codes, 4750-4799, in ``credit_events.py``."""


class TradeFactEvent:
    SALES_RECORDED = 4701
    SALES_CORRECTED = 4702
    DELIVERY_RECORDED = 4710
    DELIVERY_CORRECTED = 4711
    DELIVERY_CONFIRMED = 4712
    INVOICE_RECORDED = 4720
    INVOICE_CORRECTED = 4721
    PAYMENT_RECORDED = 4730
    PAYMENT_CORRECTED = 4731
