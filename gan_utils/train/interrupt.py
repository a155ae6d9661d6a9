"""Let Kernel -> Interrupt (Ctrl-C) stop training after the current step, not in the middle of one."""
import signal
import threading
from contextlib import contextmanager


class StopRequest:
    """Set when the learner interrupts; the loop checks it between steps."""

    def __init__(self):
        self.requested = False


@contextmanager
def finish_step_on_interrupt(alone: bool = True):
    """Within the block, a first SIGINT only sets ``.requested``; a second one stops at once.
    A process of a torchrun job (``alone=False``) stops at once: its step waits on the others."""
    stop = StopRequest()
    if not alone or threading.current_thread() is not threading.main_thread():
        yield stop  # signal handlers can only be set from the main thread
        return

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
