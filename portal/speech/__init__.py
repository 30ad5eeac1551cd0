"""Speech: the portal's own audio of its fixed, child-facing texts, for phones with no voice for the page's language.

Only texts from the translation catalogues that child-facing pages show, and that have no placeholders, can be
heard from the server (portal.speech.registry): a child's words or a name are never among them, by construction.
espeak-ng renders each text, opusenc compresses it to Ogg Opus (portal.speech.audio), and the route in
portal.speech.views serves it from a cache folder, rendering on first request.
"""
