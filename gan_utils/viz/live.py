"""A live view of training: curves and the latest fixed-noise grid, redrawn in place."""
import io


from ..data.pixels import pixels_to_images
from ..language import say
from .colors import PAPER
from .curves import history_of, plot_d_outputs, plot_losses
from .grids import image_grid


class LiveView:
    """Pass as ``trainer.fit(..., live=LiveView())``: one picture in the notebook that the trainer
    updates every few seconds (rendering is kept far from the training's critical path)."""

    def __init__(self, title: str = "training"):
        self.title = title
        self.handle = None
        self.frames_drawn = 0
        self.last_png: bytes | None = None

    def subject(self, source):
        """What this view draws: the history of a trainer, or a History itself."""
        return history_of(source, "LiveView")

    def render(self, history) -> bytes:
        """The current state as PNG bytes: losses, D outputs, latest snapshot grid."""
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=(14, 3.6))
        ax_loss, ax_d, ax_grid = (fig.add_subplot(1, 3, i) for i in (1, 2, 3))
        if len(history):
            plot_losses(history, ax_loss)
            plot_d_outputs(history, ax_d)
        if history.snapshots:
            step, pixels = history.snapshots[-1]
            images = pixels_to_images(pixels)
            ax_grid.imshow(image_grid(images[:36], nrow=6).permute(1, 2, 0).numpy(),
                           interpolation="nearest")
            ax_grid.set_title(say(f"G(fixed noise) after {step} steps", f"G(固定噪声)，第 {step} 步后"))
        ax_grid.set_axis_off()
        fig.suptitle(say(f"{self.title}: step {len(history)}", f"{self.title}：第 {len(history)} 步"))
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=72, facecolor=PAPER)
        plt.close(fig)
        return buffer.getvalue()

    def update(self, source) -> None:
        """Redraw from a trainer (what the training loop passes) or a History; in a notebook the
        previous picture is replaced, elsewhere it is only rendered."""
        from IPython import get_ipython
        from IPython.display import Image, display
        self.last_png = self.render(self.subject(source))
        self.frames_drawn += 1
        if get_ipython() is None:
            return
        if self.handle is None:
            self.handle = display(Image(self.last_png), display_id=True)
        else:
            self.handle.update(Image(self.last_png))
