"""Trade services: the facts (``facts``). Trade credit's services are ``kehu.tradecredit.services``."""
