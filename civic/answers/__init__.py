"""Answering made easy: remembered signatures, answer templates, the list of what waits for
an answer, and the optional second-person validation of answers."""
