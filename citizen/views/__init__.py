"""The citizen's pages: a town's services (catalog.py), the form (steps.py), the tracking
page (tracking.py) and the choice of how to pay (payments.py)."""
