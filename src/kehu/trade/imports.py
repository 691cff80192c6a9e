"""Bulk import of the trade facts through the bulk app's machinery (specs sales, deliveries, invoices, payments)."""
