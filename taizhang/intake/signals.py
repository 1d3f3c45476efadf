from django.dispatch import Signal

# Sent once a suggestion is stored (with `suggestion`): triage indexes it and proposes its
# routing. Intake knows nothing of triage; triage, above it, listens.
suggestion_received = Signal()
