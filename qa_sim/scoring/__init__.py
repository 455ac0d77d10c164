"""Text -> evidence -> scorecard. Knows nothing of scenarios or storage."""
