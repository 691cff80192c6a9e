"""The customer page's actions come from the state machines (issue 12, item 5: the page no longer restates
them). ``selectors.customer_actions`` offers an admission or customer-level action exactly where
``rules.TRANSITIONS`` / ``rules.CUSTOMER_TRANSITIONS`` allow it, to a user whose permission reaches the
customer, never to the person who prepared the application (four eyes)."""

from __future__ import annotations

from kehu.core.selectors import access_for
from kehu.customers import rules, selectors
from kehu.customers.selectors import open_application


def actions(world, user, customer) -> set[str]:
    customer.refresh_from_db()
    return set(selectors.customer_actions(user=user, access=access_for(user), customer=customer,
                                          application=open_application(customer)))


def test_an_application_moves_through_the_slots_its_state_allows(world):
    customer = world.enterprise()
    assert "apply" in actions(world, world.bj_cm, customer)  # a prospect may apply
    world.papers(customer)
    application = world.submit(customer)
    assert application.status == "submitted"
    mine = actions(world, world.bj_cm, customer)
    assert not mine & {"submit", "application_edit", "sales_check", "return", "apply"}
    sales = actions(world, world.bj_sales, customer)
    assert {"sales_check", "return"} <= sales and "office_review" not in sales
    assert "office_review" not in actions(world, world.bj_office, customer)  # not its stage yet


def test_the_customer_level_actions_follow_the_transition_table(world, monkeypatch):
    customer = world.admit(world.enterprise())
    assert customer.admission_status == "qualified"
    # Whoever holds the permissions on this customer: the slots offered are the ones the table allows.
    everyone = set().union(*(actions(world, u, customer) for u in world.users.values()))
    assert {"activate", "terminate", "exit"} <= everyone
    monkeypatch.setitem(rules.CUSTOMER_TRANSITIONS, "qualified", {"terminate": "terminated"})
    everyone = set().union(*(actions(world, u, customer) for u in world.users.values()))
    assert "terminate" in everyone and not everyone & {"activate", "exit"}


def test_a_rejected_or_returned_state_offers_what_the_table_says(world, monkeypatch):
    customer = world.enterprise()
    world.papers(customer)
    world.submit(customer)
    # Take "return" out of the submitted state: the page stops offering it, sales check stays.
    monkeypatch.setitem(rules.TRANSITIONS, "submitted", {"sales_check": "sales_checked", "reject": "rejected"})
    sales = actions(world, world.bj_sales, customer)
    assert "sales_check" in sales and "return" not in sales
