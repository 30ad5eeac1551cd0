"""Three Houses with pictures (4-7/2) and the shared pictures."""
