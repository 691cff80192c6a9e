"""Regulatory statistics: the monthly freeze, the large-credit statistics table (客户大额授信统计表) with its
maker-checker sign-off and concentration alerts (domain spec 4). The capital bases they measure against are
credit's (``kehu.credit.models.CapitalBase``): credit's B-6 cap reads them too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import DecimalDigits

MONEY: DecimalDigits = {"max_digits": 20, "decimal_places": 2}


class StatFreeze(models.Model):
    """The month-end freeze of lines, outstanding and exposure (domain spec 4.3)."""

    period = models.CharField(_("period"), max_length=7, unique=True)  # YYYY-MM
    frozen_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    customers = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        verbose_name = _("statistics freeze")
        verbose_name_plural = _("statistics freezes")
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class FrozenPosition(models.Model):
    """One frozen figure: per customer (or group) in total (``product`` empty) or per product."""

    freeze = models.ForeignKey(StatFreeze, on_delete=models.CASCADE, related_name="positions")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    group = models.ForeignKey("customers.CustomerGroup", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    org_path = models.CharField(max_length=1000, db_index=True)
    product = models.CharField(_("product"), max_length=32, blank=True)
    on_balance = models.BooleanField(_("on balance sheet"), null=True)
    line_amount = models.DecimalField(_("line"), **MONEY)
    outstanding_amount = models.DecimalField(_("outstanding"), **MONEY)
    exposure_amount = models.DecimalField(_("net exposure"), **MONEY)
    non_exposure_amount = models.DecimalField(_("non-exposure part"), default=0, **MONEY)
    classification = models.JSONField(_("five-category classification"), default=dict)
    report_line_amount = models.DecimalField(_("reported line"), null=True, blank=True, **MONEY)
    report_basis = models.CharField(_("basis"), max_length=32, blank=True)
    carried_forward = models.BooleanField(_("carried forward"), default=False)

    class Meta:
        verbose_name = _("frozen position")
        verbose_name_plural = _("frozen positions")
        indexes = [models.Index(fields=["freeze", "customer", "product"])]

    def __str__(self) -> str:
        return f"{self.freeze_id}:{self.customer_id or self.group_id}:{self.product or 'total'}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for sign-off")
    SIGNED = "signed", _("Signed off")
    RETURNED = "returned", _("Returned to the maker")


class LargeCreditReport(models.Model):
    """The 客户大额授信统计表 of one month (R-1 to R-5)."""

    freeze = models.ForeignKey(StatFreeze, on_delete=models.PROTECT, related_name="reports")
    period = models.CharField(_("period"), max_length=7, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    threshold_amount = models.DecimalField(_("reporting threshold"), **MONEY)
    org_code = models.CharField(_("reporting institution code"), max_length=32, blank=True)
    preparer = models.CharField(_("preparer"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    reviewer = models.CharField(_("reviewer"), max_length=50, blank=True)
    problems = models.JSONField(_("validation problems"), default=list)
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("large-credit statistics table")
        verbose_name_plural = _("large-credit statistics tables")
        ordering = ["-period", "-id"]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_status_display()})"

    def header(self) -> dict:
        return {"org_code": self.org_code, "year": self.period[:4], "month": self.period[5:7],
                "preparer": self.preparer, "phone": self.phone, "reviewer": self.reviewer}


class LargeCreditRow(models.Model):
    report = models.ForeignKey(LargeCreditReport, on_delete=models.CASCADE, related_name="rows")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=1000, db_index=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    name = models.CharField(_("name"), max_length=200)
    group_code = models.CharField(_("group"), max_length=32, blank=True)
    line_amount = models.DecimalField(_("maximum comprehensive line"), **MONEY)
    outstanding_amount = models.DecimalField(_("outstanding"), **MONEY)
    on_balance_amount = models.DecimalField(_("on balance sheet"), **MONEY)
    off_balance_amount = models.DecimalField(_("off balance sheet"), **MONEY)
    exposure_amount = models.DecimalField(_("net exposure"), **MONEY)
    basis = models.CharField(_("basis"), max_length=32)
    carried_forward = models.BooleanField(_("carried forward"), default=False)

    class Meta:
        verbose_name = _("large-credit row")
        verbose_name_plural = _("large-credit rows")
        ordering = ["-line_amount", "customer_id"]

    def __str__(self) -> str:
        return self.name


class ConcentrationAlert(models.Model):
    freeze = models.ForeignKey(StatFreeze, on_delete=models.CASCADE, related_name="alerts")
    limit_code = models.CharField(_("limit"), max_length=64)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    group = models.ForeignKey("customers.CustomerGroup", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    org_path = models.CharField(max_length=1000, db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    base_amount = models.DecimalField(_("capital base"), **MONEY)
    share_pct = models.DecimalField(_("share of the base (%)"), max_digits=9, decimal_places=2)
    cap_pct = models.DecimalField(_("cap (%)"), max_digits=6, decimal_places=2)
    # xgettext:no-python-format
    level_pct = models.DecimalField(_("alert level (% of the cap)"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("concentration alert")
        verbose_name_plural = _("concentration alerts")
        ordering = ["-level_pct", "-share_pct"]

    def __str__(self) -> str:
        return f"{self.limit_code} {self.share_pct}%"
