from celery import shared_task


@shared_task(name="core.ping", acks_late=False)
def ping() -> str:
    """Answers at once: /healthz sends it to learn that a worker takes tasks."""
    return "pong"
