"""qa-sim: practise, certify and grade customer-service conversations."""

__version__ = "0.1.0"
