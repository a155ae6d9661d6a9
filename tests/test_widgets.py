import pytest
import torch

from gan_utils.models import ConditionalDCGANGenerator, DCGANGenerator, MLPGenerator
from gan_utils.widgets import LatentExplorer, Throttle


def differs(a, b):
    """Untrained generators draw faint images, so 'changed' means any pixel moved visibly."""
    return (a - b).abs().max().item() > 1e-3


def explorer(G=None, **kwargs):
    torch.manual_seed(0)
    return LatentExplorer(G or DCGANGenerator(), num_directions=3, **kwargs)


def test_a_slider_changes_the_image_and_reset_brings_it_back():
    e = explorer()
    start = e.image()
    e.set_weight(0, 2.5)
    moved = e.image()
    assert moved.shape == (1, 28, 28) and differs(moved, start)
    e.reset()
    assert torch.allclose(e.image(), start)
    e.new_z()
    assert differs(e.image(), start)
    with pytest.raises(IndexError, match="0..2"):
        e.set_weight(3, 1.0)


def test_the_explorer_draws_in_eval_mode_and_leaves_the_learners_G_as_it_was():
    torch.manual_seed(0)
    G = DCGANGenerator()
    e = LatentExplorer(G, num_directions=1)
    assert G.training                                   # still training, as the learner left it
    drawn = e.image()
    with torch.no_grad():
        G.eval()
        expected = G(e.z[None])[0]
    assert torch.allclose(drawn, expected)              # the picture came from eval mode


def test_the_strongest_direction_changes_the_image_more_than_a_weak_one():
    e = LatentExplorer(MLPGenerator(), num_directions=100)
    start = e.image()
    e.set_weight(0, 1.0)
    strong = (e.image() - start).abs().mean()
    e.reset(), e.set_weight(99, 1.0)
    assert strong > (e.image() - start).abs().mean()


def test_digit_control_keeps_z_and_blends_between_two_digits():
    torch.manual_seed(0)
    e = LatentExplorer(ConditionalDCGANGenerator(), num_directions=2)
    e.set_digit(3)
    three, z = e.image(), e.z.clone()
    e.set_digit(8)
    eight = e.image()
    assert torch.equal(e.z, z) and differs(three, eight)
    e.blend_digits(3, 8, 0.0)
    assert torch.allclose(e.image(), three)
    e.blend_digits(3, 8, 0.5)
    halfway = e.image()
    assert differs(halfway, three) and differs(halfway, eight)
    with pytest.raises(ValueError, match="between 0 and 1"):
        e.blend_digits(3, 8, 1.5)
    with pytest.raises(ValueError, match="0..9"):
        e.set_digit(10)


def test_digit_control_on_an_unconditional_generator_says_what_to_use():
    with pytest.raises(ValueError, match="conditional GAN"):
        explorer().set_digit(3)


def test_png_is_an_enlarged_image_rendered_quickly():
    e = explorer()
    data = e.png(scale=4)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert e.render_ms < 100


def test_wrong_directions_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(count, 100\)"):
        LatentExplorer(DCGANGenerator(), directions=torch.randn(3, 50))


class FakeScheduler:
    def __init__(self):
        self.calls = []

    def __call__(self, delay, fn):
        self.calls.append(fn)

    def run_due(self):
        calls, self.calls = self.calls, []
        for fn in calls:
            fn()


def test_a_fast_drag_draws_at_once_then_only_the_newest_value():
    drawn, scheduler = [], FakeScheduler()
    throttle = Throttle(drawn.append, scheduler)
    for value in range(10):  # ten values within one cool-down
        throttle.request(value)
    assert drawn == [0]
    scheduler.run_due()
    assert drawn == [0, 9]
    scheduler.run_due()  # nothing new arrived: nothing more to draw
    throttle.request(42)
    assert drawn == [0, 9, 42]


def _all_children(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all_children(child)


def test_the_built_widget_redraws_when_a_slider_moves_and_reset_restores():
    import ipywidgets as widgets
    from gan_utils.widgets import build_latent_explorer

    e = explorer()
    ui = build_latent_explorer(e, scale=2)
    parts = list(_all_children(ui))
    picture = next(w for w in parts if isinstance(w, widgets.Image))
    slider = next(w for w in parts if isinstance(w, widgets.FloatSlider))
    before = picture.value
    slider.value = 2.0  # outside a kernel the redraw runs at once
    assert picture.value != before and e.weights[0] == 2.0
    next(w for w in parts if isinstance(w, widgets.Button) and w.description == "reset").click()
    assert picture.value == before and e.weights == [0.0, 0.0, 0.0]
    next(w for w in parts if isinstance(w, widgets.Button) and w.description == "new random z").click()
    assert picture.value != before


def test_the_built_widget_has_digit_and_blend_controls_for_a_conditional_generator():
    import ipywidgets as widgets
    from gan_utils.widgets import build_latent_explorer

    torch.manual_seed(0)
    e = LatentExplorer(ConditionalDCGANGenerator(), num_directions=2)
    parts = list(_all_children(build_latent_explorer(e, scale=2)))
    picture = next(w for w in parts if isinstance(w, widgets.Image))
    digit = next(w for w in parts if isinstance(w, widgets.ToggleButtons))
    blend = next(w for w in parts if isinstance(w, widgets.FloatSlider) and w.description == "blend")
    before = picture.value
    digit.value = 7
    assert picture.value != before and e.class_weights[7] == 1.0
    blend.value = 0.5
    assert e.class_weights[7] == 0.5 and e.class_weights[1] == 0.5  # "blend into" starts at the next digit
    other = next(w for w in parts if isinstance(w, widgets.Dropdown))
    other.value = 2
    assert e.class_weights[7] == 0.5 and e.class_weights[2] == 0.5 and e.class_weights[1] == 0.0
    assert not any(isinstance(w, widgets.ToggleButtons) for w in _all_children(build_latent_explorer(explorer())))


def test_the_digit_buttons_start_at_the_explorers_digit():
    import ipywidgets as widgets
    from gan_utils.widgets import build_latent_explorer

    torch.manual_seed(0)
    e = LatentExplorer(ConditionalDCGANGenerator(), num_directions=1, digit=3)
    parts = list(_all_children(build_latent_explorer(e, scale=2)))
    assert next(w for w in parts if isinstance(w, widgets.ToggleButtons)).value == 3
    assert next(w for w in parts if isinstance(w, widgets.Dropdown)).value == 4


def test_widgets_carry_a_still_picture_for_pages_without_a_kernel():
    """JupyterLab draws the widget view; a static page (the book) falls back to the PNG."""
    import base64

    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from gan_utils.widgets import WithPicture, build_latent_explorer, figure_png, interactive_with_picture
    lab = LatentExplorer(MLPGenerator(), num_directions=2)
    bundle = build_latent_explorer(lab, scale=2)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == lab.png(2)   # the explorer's first picture

    drawn = []

    def draw(t=0.5):
        drawn.append(t)
        plt.plot([0, 1], [0, t])
        plt.show()

    slider = interactive_with_picture(draw, t=widgets.FloatSlider(value=0.25))
    assert isinstance(slider, WithPicture) and drawn[0] == 0.25      # pictured at the slider's start
    assert slider._repr_mimebundle_()["image/png"]
    assert figure_png(draw, 0.75).startswith(b"\x89PNG") and drawn[-1] == 0.75
    assert plt.get_fignums() == []                                      # nothing left open
