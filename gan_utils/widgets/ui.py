"""ipywidgets controls for a LatentExplorer. Only wiring lives here; the logic is in explorer.py."""
import asyncio
import io

import ipywidgets as widgets
from PIL import Image
from torch import nn

from ..language import say
from .explorer import LatentExplorer, Throttle
from .picture import WithPicture


def _scheduler():
    """``loop.call_later`` inside a running kernel; outside one, run at once."""
    try:
        return asyncio.get_running_loop().call_later
    except RuntimeError:
        return lambda delay, fn: fn()


def _as_explorer(explorer) -> LatentExplorer:
    """A LatentExplorer as given, or one with its default directions around a bare generator."""
    if isinstance(explorer, LatentExplorer):
        return explorer
    if isinstance(explorer, nn.Module):
        return LatentExplorer(explorer)
    raise TypeError(say(f"build_latent_explorer takes a LatentExplorer (or a generator G), got "
                        f"{type(explorer).__name__}; e.g. build_latent_explorer(LatentExplorer(G)).",
                        f"build_latent_explorer 需要一个 LatentExplorer（或一个生成器 G），得到的是 "
                        f"{type(explorer).__name__}；例如 build_latent_explorer(LatentExplorer(G))。"))


def build_latent_explorer(explorer, slider_range: float = 3.0, scale: int = 8) -> WithPicture:
    """Sliders along the explorer's directions, "new random z" and "reset" buttons, a digit
    selector and a two-digit blend for a conditional G, and the image. ``explorer``: a
    LatentExplorer, or a generator (then one is made with its 5 strongest directions). Returns the
    widget (display it yourself; a page without a kernel shows its first picture); a fast drag draws
    its first position at once, then only the newest one."""
    explorer = _as_explorer(explorer)
    first = explorer.png(scale)
    width = Image.open(io.BytesIO(first)).width  # 28 * scale for digits, 64 * scale for faces
    picture = widgets.Image(value=first, format="png", layout=widgets.Layout(width=f"{width}px"))
    timing = widgets.HTML()

    def redraw():
        try:
            picture.value = explorer.png(scale)
            timing.value = say(f"<small>drawn in {explorer.render_ms:.1f} ms</small>",
                               f"<small>绘制用时 {explorer.render_ms:.1f} ms</small>")
        except Exception as error:  # a callback's error would only reach the kernel's log
            timing.value = say("<b>could not draw:</b> ", "<b>无法绘制：</b>") + f"{type(error).__name__}: {error}"

    throttle = Throttle(redraw, _scheduler())
    muted = []  # non-empty while reset moves the sliders itself
    sliders = []
    for index in range(len(explorer.weights)):
        slider = widgets.FloatSlider(value=0.0, min=-slider_range, max=slider_range, step=0.1,
                                     description=say(f"direction {index + 1}", f"方向 {index + 1}"),
                                     continuous_update=True)
        slider.observe(lambda change, i=index: (explorer.set_weight(i, change["new"]),
                                                muted or throttle.request()), names="value")
        sliders.append(slider)

    new_z = widgets.Button(description=say("new random z", "新的随机 z"), icon="random")
    reset = widgets.Button(description=say("reset", "重置"), icon="undo")

    def on_new_z(_):
        explorer.new_z()
        throttle.request()

    def on_reset(_):
        muted.append(True)
        for slider in sliders:
            slider.value = 0.0
        muted.clear()
        explorer.reset()
        throttle.request()  # one redraw, not one per slider

    new_z.on_click(on_new_z)
    reset.on_click(on_reset)
    controls = [*sliders, widgets.HBox([new_z, reset])]

    if explorer.num_classes is not None:
        digit_a, digit_b = explorer.digits
        if digit_b == digit_a:
            digit_b = (digit_a + 1) % explorer.num_classes
        digit = widgets.ToggleButtons(options=list(range(explorer.num_classes)), value=digit_a,
                                      description=say("digit", "数字"),
                                      style={"button_width": "32px"})
        other = widgets.Dropdown(options=list(range(explorer.num_classes)), value=digit_b,
                                 description=say("blend into", "混入数字"),
                                 layout=widgets.Layout(width="180px"))
        amount = widgets.FloatSlider(value=explorer.amount, min=0.0, max=1.0, step=0.05,
                                     description=say("blend", "混合比例"), continuous_update=True)

        def on_label(_):
            explorer.blend_digits(digit.value, other.value, amount.value)
            throttle.request()

        for control in (digit, other, amount):
            control.observe(on_label, names="value")
        controls += [digit, widgets.HBox([other, amount])]

    return WithPicture([widgets.HBox([widgets.VBox(controls), widgets.VBox([picture, timing])])], first)
