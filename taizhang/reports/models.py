"""The figures layer keeps no tables of its own besides the frozen days (Snapshot)."""
