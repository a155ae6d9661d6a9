"""Buttons that step a ToyGAN by hand (lesson 07). Only wiring: the steps are ToyGAN methods."""
import ipywidgets as widgets

from ..language import say
from ..toy.view import render_toy_png
from .picture import WithPicture


def build_toy_stepper(lab, train_steps: int = 100) -> WithPicture:
    """"D step", "G step" and "train N steps" buttons over the lab's picture. Returns the widget
    (display it yourself; a page without a kernel shows the first picture); each press updates the
    lab, then redraws."""
    first = render_toy_png(lab)
    picture = widgets.Image(value=first, format="png")
    status = widgets.HTML()

    def run(action, message):
        def on_click(_button):
            try:
                figures = action()
                status.value = message(figures)
                picture.value = render_toy_png(lab)
            except Exception as error:  # a callback's error would only reach the kernel's log
                status.value = (say("<b>could not step:</b> ", "<b>无法执行这一步：</b>")
                                + f"{type(error).__name__}: {error}")
        return on_click

    d_button = widgets.Button(description=say("D step", "D 步"),
                              tooltip=say("one update of D on fresh real and fake points",
                                          "用新抽取的真实点和生成点更新 D 一次"))
    g_button = widgets.Button(description=say("G step", "G 步"),
                              tooltip=say("one update of G through the current D", "通过当前的 D 更新 G 一次"))
    train_button = widgets.Button(description=say(f"train {train_steps} steps", f"训练 {train_steps} 步"))
    d_button.on_click(run(lab.d_step, lambda f: say(
        f"D step: D(x) {f['D_x']:.2f}, D(G(z)) {f['D_G_z1']:.2f} (before the update)",
        f"D 步：D(x) {f['D_x']:.2f}，D(G(z)) {f['D_G_z1']:.2f}（更新之前）")))
    g_button.on_click(run(lab.g_step, lambda f: say(f"G step: G loss {f['loss_G']:.3f}",
                                                    f"G 步：G 的损失 {f['loss_G']:.3f}")))
    train_button.on_click(run(lambda: lab.train(train_steps, progress=False),
                              lambda _: say(f"trained {train_steps} more steps", f"又训练了 {train_steps} 步")))
    return WithPicture([widgets.HBox([d_button, g_button, train_button]), status, picture], first)
