"""Trade REST API: the facts (``api_facts``) and trade credit (limits, orders, holds) under /trade/."""

from ninja import Router

from kehu.trade.api_facts import router as facts_router

router = Router(tags=["trade"])
router.add_router("", facts_router)
