"""Buttons that step a ToyGAN by hand (lesson 07). Only wiring: the steps are ToyGAN methods."""
import ipywidgets as widgets

from ..toy.view import render_toy_png


def build_toy_stepper(lab, train_steps: int = 100) -> widgets.VBox:
    """"D step", "G step" and "train N steps" buttons over the lab's picture. Returns the widget
    (display it yourself); each press updates the lab, then redraws."""
    picture = widgets.Image(value=render_toy_png(lab), format="png")
    status = widgets.HTML()

    def run(action, message):
        def on_click(_button):
            try:
                figures = action()
                status.value = message(figures)
                picture.value = render_toy_png(lab)
            except Exception as error:  # a callback's error would only reach the kernel's log
                status.value = f"<b>could not step:</b> {type(error).__name__}: {error}"
        return on_click

    d_button = widgets.Button(description="D step", tooltip="one update of D on fresh real and fake points")
    g_button = widgets.Button(description="G step", tooltip="one update of G through the current D")
    train_button = widgets.Button(description=f"train {train_steps} steps")
    d_button.on_click(run(lab.d_step, lambda f: f"D step: D(x) {f['D_x']:.2f}, D(G(z)) {f['D_G_z1']:.2f} "
                                                   f"(before the update)"))
    g_button.on_click(run(lab.g_step, lambda f: f"G step: G loss {f['loss_G']:.3f}"))
    train_button.on_click(run(lambda: lab.train(train_steps, progress=False),
                              lambda _: f"trained {train_steps} more steps"))
    return widgets.VBox([widgets.HBox([d_button, g_button, train_button]), status, picture])
