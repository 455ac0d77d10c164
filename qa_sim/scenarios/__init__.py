"""The dialogue model and its runtime. Knows nothing of scoring or storage."""
