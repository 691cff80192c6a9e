"""Who may do what at the reception (S2 §3: professional reception staff with the relevant departments).

kehu has no separate reception roles: customer-service agents are the reception staff (S8 covers online
service and reception employees alike), customer managers and the customer office host visits, and the
customer-service supervisor is the manager who approves bookings outside reception hours and reads the
notes of confidential negotiations.
"""

VIEW = "reception.view"
HANDLE = "reception.handle"  # book, check in and out, tick the VIP checklist, record safety checks
APPROVE = "reception.approve"  # approve a slot outside reception hours (V-2)
CONFIDENTIAL = "reception.confidential"  # read the notes of a confidential negotiation (S2 §4(4))

ROLE_PERMISSIONS = {
    "service_agent": {VIEW, HANDLE},
    "service_supervisor": {VIEW, HANDLE, APPROVE, CONFIDENTIAL},
    "customer_manager": {VIEW, HANDLE},
    "customer_office": {VIEW, HANDLE},
    "auditor": {VIEW},
}
