from django.dispatch import Signal

# Sent after the transaction that closed a problem (销号) commits, with `problem`: intake tells
# the citizens whose suggestions it settles. The ledger knows nothing of intake.
problem_closed = Signal()
