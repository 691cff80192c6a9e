"""Settings for the customer HTTP benchmark only: kehu's settings with a URLconf that adds a bare
Django JSON view, the P9 baseline. Never used by the product."""

from kehu.settings import *  # noqa: F403

ROOT_URLCONF = "customers_bench_urls"
