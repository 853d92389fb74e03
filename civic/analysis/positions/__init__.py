""" "Où vous situez-vous ?": the opinion map of a consultation, where each participant who
voted enough sees their own place among the opinion groups."""
