"""Browser journeys (marked `browser`)."""
