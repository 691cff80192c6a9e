from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kehu.core.params import register_params
        from kehu.customers import overview
        from kehu.customers.params import PARAMS

        register_params(PARAMS)
        from kehu.core.nav import DashboardAction, register_dashboard_action
        from kehu.core.permissions import register_permissions
        from kehu.customers.permissions import ROLE_PERMISSIONS, CustomerPerm

        register_permissions(ROLE_PERMISSIONS)
        from kehu.core.audit import register_events
        from kehu.customers.events import LABELS as EVENT_LABELS
        from kehu.customers.events import CustomerEvent

        register_events(CustomerEvent, EVENT_LABELS)
        # The dashboard's quick search and "new customer" button: core's dashboard knows no customer.
        register_dashboard_action(DashboardAction("customers/dashboard_search.html", CustomerPerm.CUSTOMER_VIEW, 10))
        register_dashboard_action(DashboardAction("customers/dashboard_new.html", CustomerPerm.CUSTOMER_CREATE, 20))

        overview.register_own()
        from kehu.customers import retention

        retention.register()  # the archive's retention classes (privacy sweeper)
        from kehu.core.inbox import InboxProvider, register_inbox
        from kehu.customers import inbox

        register_inbox(InboxProvider(name="customers", sections=inbox.sections, order=10))
        from kehu.core.audit import register_customer_paths
        from kehu.core.audit_display import name_column, register_object_namer
        from kehu.customers import selectors

        # Core's audit log knows no customer: the org path that scopes a row, and the masked name on the page.
        register_customer_paths(selectors.org_paths_of)
        register_object_namer("customers.Customer", selectors.audit_name)
        register_object_namer("customers.CustomerGroup", name_column)
