"""gunicorn's settings for the portal (read from the working directory): never log a link's token."""

logger_class = "portal.logs.RedactingGunicornLogger"
