"""The knowledge dashboard and search insights, for editors: KCS figures, searches without
results, results nobody opened, and turning those into requests or synonyms."""
