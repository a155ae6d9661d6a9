"""A widget that also carries a still picture, for pages without a kernel (the book, exported HTML)."""
import base64
import io
from unittest import mock

import ipywidgets as widgets


class WithPicture(widgets.VBox):
    """A VBox of ``children`` whose display also offers ``png`` (bytes): JupyterLab draws the live
    widgets, a static page (no kernel to run the controls) draws the picture instead."""

    def __init__(self, children: list, png: bytes, **kwargs):
        super().__init__(children, **kwargs)
        self.png = png

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        return bundle


def figure_png(draw, *args, **kwargs) -> bytes:
    """The figure ``draw(*args, **kwargs)`` leaves open, as PNG bytes (its ``plt.show()`` is held
    back, so nothing is displayed); the figure is closed afterwards."""
    import matplotlib.pyplot as plt
    with mock.patch.object(plt, "show", lambda *a, **k: None):
        draw(*args, **kwargs)
    figure = plt.gcf()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def interactive_with_picture(draw, **controls) -> WithPicture:
    """``widgets.interactive(draw, **controls)`` that carries a picture of ``draw`` at the
    controls' starting values, for pages without a kernel."""
    first = figure_png(draw, **{name: control.value for name, control in controls.items()})
    return WithPicture([widgets.interactive(draw, **controls)], first)
