"""Trade facts API: sales records, deliveries, invoices and payments (domain spec 3A)."""

from ninja import Router

router = Router(tags=["trade facts"])
