"""The job consumer's entry point: `huey_consumer portal.worker.huey -w 1`.

Builds the app (so every area has registered its jobs) and the queue its settings ask for; each job
runs inside this app.
"""

from portal import create_app, jobs

app = create_app()
jobs.bind_app(app)
huey = jobs.get_huey()
