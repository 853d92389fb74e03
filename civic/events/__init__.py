"""The shared agenda of the territory: events, registration, feeds and imports."""
