"""trade 0001-0003, squashed (docs/migrations.md): a fresh database gets the tables in their final form."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kehu.core.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [
        ('trade', '0001_initial'),
        ('trade', '0002_facts_delivery_invoice'),
        ('trade', '0003_prepaid_orders'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('customers', '0003_search_fts'),
    ]

    operations = [
        CreateModels(
            operations=[
                migrations.CreateModel(
                    name='CreditAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('limit_amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='credit limit')),
                        ('term_days', models.PositiveIntegerField(default=0, verbose_name='credit term (days)')),
                        ('grade', models.CharField(blank=True, max_length=1, verbose_name='grade')),
                        ('limit_valid_from', models.DateField(blank=True, null=True, verbose_name='limit valid from')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('customer', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='credit_account', to='customers.customer')),
                    ],
                    options={
                        'verbose_name': 'credit account',
                        'verbose_name_plural': 'credit accounts',
                        'constraints': [models.CheckConstraint(condition=models.Q(('limit_amount__gte', 0)), name='trade_account_limit_non_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='CreditLimit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='credit limit')),
                        ('term_days', models.PositiveIntegerField(verbose_name='credit term (days)')),
                        ('grade', models.CharField(blank=True, max_length=1, verbose_name='grade')),
                        ('period', models.DateField(blank=True, null=True, verbose_name='grading period')),
                        ('basis', models.JSONField(default=dict, verbose_name='basis')),
                        ('rule_version', models.CharField(max_length=32, verbose_name='rule version')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='limits', to='trade.creditaccount')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'credit limit',
                        'verbose_name_plural': 'credit limits',
                        'ordering': ['-valid_from', '-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('valid_to__isnull', True)), fields=('account',), name='trade_limit_one_current')],
                    },
                ),
                migrations.CreateModel(
                    name='Invoice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(max_length=64, verbose_name='invoice number')),
                        ('issued_on', models.DateField(verbose_name='issued on')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='customers.customer')),
                        ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='trade.salesorder')),
                    ],
                    options={
                        'verbose_name': 'invoice',
                        'verbose_name_plural': 'invoices',
                        'ordering': ['-issued_on', '-id'],
                        'indexes': [models.Index(fields=['customer', 'due_on'], name='trade_invoice_cust_due')],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'reference'), name='trade_invoice_ref_unique'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='trade_invoice_amount_positive'), models.CheckConstraint(condition=models.Q(('due_on__gte', models.F('issued_on'))), name='trade_invoice_due_after_issue')],
                    },
                ),
                migrations.CreateModel(
                    name='LimitChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pending approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('superseded', 'Superseded')], default='pending', max_length=16, verbose_name='status')),
                        ('current_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='current limit')),
                        ('proposed_amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='proposed limit')),
                        ('term_days', models.PositiveIntegerField(verbose_name='credit term (days)')),
                        ('grade', models.CharField(blank=True, max_length=1, verbose_name='grade')),
                        ('period', models.DateField(blank=True, null=True, verbose_name='grading period')),
                        ('basis', models.JSONField(default=dict, verbose_name='basis')),
                        ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('decision_note', models.CharField(blank=True, max_length=500, verbose_name='decision note')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='trade.creditaccount')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'credit limit change',
                        'verbose_name_plural': 'credit limit changes',
                        'ordering': ['-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('account',), name='trade_limit_change_one_pending')],
                    },
                ),
                migrations.CreateModel(
                    name='Payment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(max_length=64, verbose_name='reference')),
                        ('paid_on', models.DateField(verbose_name='paid on')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='customers.customer')),
                        ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='trade.invoice')),
                    ],
                    options={
                        'verbose_name': 'payment',
                        'verbose_name_plural': 'payments',
                        'ordering': ['-paid_on', '-id'],
                        'indexes': [models.Index(fields=['invoice', 'paid_on'], name='trade_payment_inv_paid')],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'reference'), name='trade_payment_ref_unique'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='trade_payment_amount_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='SalesOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=64, unique=True, verbose_name='order number')),
                        ('ordered_on', models.DateField(verbose_name='ordered on')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('status', models.CharField(choices=[('accepted', 'Accepted'), ('credit_hold', 'On credit hold'), ('rejected', 'Rejected'), ('shipped', 'Shipped'), ('invoiced', 'Invoiced'), ('cancelled', 'Cancelled')], max_length=16, verbose_name='status')),
                        ('check_figures', models.JSONField(default=dict, verbose_name='credit check')),
                        ('hold_reasons', models.JSONField(default=list, verbose_name='hold reasons')),
                        ('release_authority', models.CharField(blank=True, choices=[('sales_manager', 'Sales manager'), ('finance_manager', 'Finance manager'), ('general_manager', 'General manager')], max_length=32, verbose_name='release authority')),
                        ('idempotency_key', models.CharField(blank=True, max_length=64, verbose_name='idempotency key')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('decision_note', models.CharField(blank=True, max_length=500, verbose_name='decision note')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sales_orders', to='customers.customer')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('prepaid', models.BooleanField(default=False, verbose_name='prepaid')),
                        ('prepayment', models.JSONField(blank=True, default=dict, verbose_name='prepayment')),
                    ],
                    options={
                        'verbose_name': 'sales order',
                        'verbose_name_plural': 'sales orders',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['customer', 'status'], name='trade_order_cust_status')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('created_by', 'idempotency_key'), name='trade_order_idempotency'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='trade_order_amount_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='OrderStatusChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_status', models.CharField(blank=True, choices=[('accepted', 'Accepted'), ('credit_hold', 'On credit hold'), ('rejected', 'Rejected'), ('shipped', 'Shipped'), ('invoiced', 'Invoiced'), ('cancelled', 'Cancelled')], max_length=16, verbose_name='from')),
                        ('to_status', models.CharField(choices=[('accepted', 'Accepted'), ('credit_hold', 'On credit hold'), ('rejected', 'Rejected'), ('shipped', 'Shipped'), ('invoiced', 'Invoiced'), ('cancelled', 'Cancelled')], max_length=16, verbose_name='to')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='trade.salesorder')),
                    ],
                    options={
                        'verbose_name': 'order status change',
                        'verbose_name_plural': 'order status changes',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(max_length=64, verbose_name='reference')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('delivered_on', models.DateField(blank=True, null=True, verbose_name='delivered on')),
                        ('quantity_due', models.DecimalField(decimal_places=4, max_digits=20, verbose_name='quantity due')),
                        ('quantity_delivered', models.DecimalField(decimal_places=4, default=0, max_digits=20, verbose_name='quantity delivered')),
                        ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name='amount')),
                        ('invoiced', models.BooleanField(default=False, verbose_name='invoiced')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='customers.customer')),
                        ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='trade.salesorder')),
                        ('invoice', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='trade.invoice', verbose_name='invoice')),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'ordering': ['-due_on', '-id'],
                        'indexes': [models.Index(fields=['customer', 'due_on'], name='trade_delivery_cust_due')],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'reference'), name='trade_delivery_ref_unique'), models.CheckConstraint(condition=models.Q(('quantity_due__gte', 0), ('quantity_delivered__gte', 0), ('amount__gte', 0)), name='trade_delivery_non_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='SalesRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(help_text='First day of the month.', verbose_name='month')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('reference', models.CharField(max_length=64, verbose_name='reference')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sales_records', to='customers.customer')),
                    ],
                    options={
                        'verbose_name': 'sales record',
                        'verbose_name_plural': 'sales records',
                        'ordering': ['-period', '-id'],
                        'indexes': [models.Index(fields=['customer', 'period'], name='trade_sales_cust_period')],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'reference'), name='trade_sales_ref_unique')],
                    },
                ),
            ],
        ),
    ]
