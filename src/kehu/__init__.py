"""kehu (客户): customer management for Chinese enterprises and financial institutions."""

__version__ = "0.1.0"
