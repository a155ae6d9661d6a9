"""Hooks: what the training loop does between steps besides training (a progress bar, snapshots,
a live picture, checkpoints). Each is a small object; the loop calls the methods it has."""
import time

from tqdm.auto import tqdm

from ..language import say


class Hook:
    """Override what you need. ``trainer.step``/``trainer.epoch`` count what is already done."""

    def after_step(self, trainer) -> None:
        pass

    def after_epoch(self, trainer) -> None:
        pass

    def at_end(self, trainer, interrupted: bool) -> None:
        pass


def epoch_label(epoch: int, last_epoch: int) -> str:
    """The progress bar's name for an epoch: "epoch 3/10" (第 3/10 轮)."""
    return say(f"epoch {epoch}/{last_epoch}", f"第 {epoch}/{last_epoch} 轮")


class ProgressBar(Hook):
    """A tqdm bar, one tick per step; the latest figures shown every ``every`` steps."""

    def __init__(self, total: int | None, desc: str, every: int = 10, enabled: bool = True,
                 leave: bool = True, last_epoch: int | None = None):
        self.bar = tqdm(total=total, desc=desc, unit="step", disable=not enabled, leave=leave)
        self.every, self.last_epoch = every, last_epoch

    def after_epoch(self, trainer) -> None:
        if self.last_epoch and trainer.epoch < self.last_epoch:
            self.bar.set_description(epoch_label(trainer.epoch + 1, self.last_epoch))

    def after_step(self, trainer) -> None:
        self.bar.update()
        if self.every and trainer.step % self.every == 0 and not self.bar.disable:
            figures = trainer.history.last()   # brings the figures to the host: only every N steps
            self.bar.set_postfix({key: f"{figures[key]:.3f}" for key in ("loss_D", "loss_G", "D_x", "D_G_z1")
                                  if key in figures})

    def at_end(self, trainer, interrupted: bool) -> None:
        self.bar.close()


class Snapshots(Hook):
    """G's output on the fixed noise into ``trainer.history``: every ``every_steps`` steps, or at
    the end of every epoch when ``every_steps`` is None (and once before the first step)."""

    def __init__(self, every_steps: int | None = None):
        self.every_steps = every_steps

    def after_step(self, trainer) -> None:
        if self.every_steps and trainer.step % self.every_steps == 0:
            trainer.history.add_snapshot(trainer.step, trainer.sample_fixed())

    def after_epoch(self, trainer) -> None:
        if self.every_steps is None:
            trainer.history.add_snapshot(trainer.step, trainer.sample_fixed())


class LiveUpdates(Hook):
    """Call ``view.update(trainer)`` every ``every_seconds`` and once at the end (a LiveView draws
    the curves and the latest snapshot; the 2D lab's view draws the plane)."""

    def __init__(self, view, every_seconds: float = 2.0):
        self.view, self.every_seconds = view, every_seconds
        self.last = time.perf_counter()

    def after_step(self, trainer) -> None:
        if time.perf_counter() - self.last > self.every_seconds:
            self.view.update(trainer)
            self.last = time.perf_counter()

    def at_end(self, trainer, interrupted: bool) -> None:
        self.view.update(trainer)


class Checkpoints(Hook):
    """Save the whole run to ``path`` at the end of an epoch when ``every_seconds`` have passed since
    the last save, at the end of every fit, and when training is interrupted."""

    def __init__(self, path, every_seconds: float = 60.0, last_epoch: int | None = None):
        self.path, self.every_seconds, self.last_epoch = path, every_seconds, last_epoch
        self.last = time.perf_counter()

    def after_epoch(self, trainer) -> None:
        due = time.perf_counter() - self.last >= self.every_seconds
        if due and trainer.epoch != self.last_epoch:  # the last epoch is saved by at_end
            self.save(trainer)

    def at_end(self, trainer, interrupted: bool) -> None:
        self.save(trainer)

    def save(self, trainer) -> None:
        if getattr(trainer, "failed", None) is None:   # a run gone NaN keeps its last good file
            trainer.save_checkpoint(self.path)
        self.last = time.perf_counter()
