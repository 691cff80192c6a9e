from kehu.customers import services
from kehu.customers.selectors import customer_search


def test_admit_enterprise_end_to_end(world):
    customer = world.enterprise()
    customer = world.admit(customer)
    assert customer.admission_status == "qualified"
    assert services.customer_require_tradable(customer_id=customer.pk).pk == customer.pk


def test_search_by_initials_finds_customer(world):
    customer = world.enterprise(name="中国银行股份有限公司")
    assert list(customer_search(user=world.bj_cm, q="zgyh")) == [customer]
    assert list(customer_search(user=world.sh_cm, q="zgyh")) == []
