"""Trade services: facts (``facts``), limits and orders (``credit``)."""
