"""taizhang 台账: the ledger a city campaign uses to find problems, fix them and prove it."""

__version__ = "0.1.0"
