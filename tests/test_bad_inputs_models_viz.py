"""A hostile sweep of the models, pictures, widgets and checks: every bad input is either handled
correctly or refused at once with what was expected, what was received and what to do."""
import io
import warnings
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from gan_utils import checks
from gan_utils.data import ImageShapeError, InMemoryBatches
from gan_utils.models import (ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, DCGANDiscriminator,
                              DCGANGenerator, DeviceMismatchError, LabelError, LatentShapeError,
                              MLPDiscriminator, MLPGenerator, ToyDiscriminator, ToyGenerator)
from gan_utils.train import GANTrainer, History
from gan_utils.viz import (image_grid, pick_frames, plot_d_outputs, plot_losses, plot_training, show_grid,
                           show_progress)
from gan_utils.latent import interpolation_path, lerp, principal_directions, random_directions, slerp
from gan_utils.widgets import LatentExplorer, build_latent_explorer

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def small_models():
    """One small pair of each kind, in eval mode (no BatchNorm surprises), seeded."""
    torch.manual_seed(0)
    pairs = {"mlp": (MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16)),
             "dcgan": (DCGANGenerator(latent_dim=8, ngf=4), DCGANDiscriminator(ndf=4)),
             "conditional": (ConditionalDCGANGenerator(latent_dim=8, ngf=4),
                             ConditionalDCGANDiscriminator(ndf=4))}
    for G, D in pairs.values():
        G.eval(), D.eval()
    return pairs


MODELS = small_models()
LABELS = torch.tensor([3, 7])


def call(model, x, labels=LABELS):
    """model(x), with labels for a conditional model."""
    return model(x, labels) if getattr(model, "num_classes", None) else model(x)


def images(n=2, size=28, channels=1):
    return torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(1)) * 2 - 1


def history_with_snapshots(count=3):
    history = History()
    for i in range(count):
        history.add_snapshot(i * 10, torch.full((4, 1, 28, 28), -1 + 2 * i / max(1, count - 1)))
    return history


# --- 1. float64 and numpy inputs -------------------------------------------------------------------

@pytest.mark.parametrize("kind", MODELS)
def test_1_float64_and_numpy_z_and_images_work_like_float32(kind):
    G, D = MODELS[kind]
    z = torch.randn(2, 8)
    expected_images, expected_logits = call(G, z), call(D, images())
    for z_like in (z.double(), z.numpy().astype(np.float64)):
        out = call(G, z_like)
        assert out.dtype == torch.float32 and torch.allclose(out, expected_images, atol=1e-6)
    for x_like in (images().double(), images().numpy().astype(np.float64)):
        out = call(D, x_like)
        assert out.dtype == torch.float32 and torch.allclose(out, expected_logits, atol=1e-5)


def test_1_toy_models_take_float64_and_numpy_points():
    torch.manual_seed(0)
    G, D = ToyGenerator(), ToyDiscriminator()
    z = np.random.default_rng(0).standard_normal((4, 2))        # float64, as numpy makes it
    assert G(z).dtype == torch.float32 and torch.allclose(G(z), G(torch.tensor(z, dtype=torch.float32)))
    assert D(z).dtype == torch.float32 and torch.allclose(D(torch.from_numpy(z)), D(torch.tensor(z).float()))


# --- 2. label dtypes ------------------------------------------------------------------------------

@pytest.mark.parametrize("labels", [LABELS.int(), LABELS.to(torch.uint8), LABELS.short(),
                                    LABELS.numpy().astype(np.int32)])
def test_2_int32_uint8_and_numpy_labels_work_like_int64(labels):
    G, D = MODELS["conditional"]
    z = torch.randn(2, 8)
    assert torch.equal(G(z, labels), G(z, LABELS))
    assert torch.equal(D(images(), labels), D(images(), LABELS))


@pytest.mark.parametrize("labels", [LABELS > 4, LABELS.float()])
def test_2_bool_and_float_labels_are_refused_with_the_fix(labels):
    G, D = MODELS["conditional"]
    for model, x in ((G, torch.randn(2, 8)), (D, images())):
        with pytest.raises(LabelError, match=r"digit classes 0\.\.9 as integers.*torch\.tensor\(\[3, 7\]\) "
                                             r"or labels\.long\(\).*got dtype torch\.(bool|float32)"):
            model(x, labels)


# --- 3. a generator without a final Tanh ----------------------------------------------------------

def no_tanh_generator():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 784), nn.Unflatten(1, (1, 28, 28)))   # forgot nn.Tanh()


def test_3_fakes_from_a_generator_without_tanh_are_named_as_such():
    G, D = no_tanh_generator(), MODELS["mlp"][1]
    fakes = G(torch.randn(4, 8)) * 5
    tanh_fix = r"come out of a network.*outside \[-1, 1\]: end it with nn\.Tanh\(\)"
    with pytest.raises(ImageShapeError, match=tanh_fix) as info:
        D(fakes)
    assert "127.5" not in str(info.value)
    with pytest.raises(ImageShapeError, match=r"If they are real images.*Normalize.*your generator's output.*"
                                              r"end it with nn\.Tanh\(\)"):
        D(fakes.detach())                                   # no gradient: it could be either, say both


def test_3_real_pixels_still_get_the_normalization_fix_and_sigmoid_output_is_named():
    D = MODELS["dcgan"][1]
    pixels = torch.randint(0, 256, (2, 1, 28, 28)).float()
    with pytest.raises(ImageShapeError, match=r"0\.\.255 pixels\. Divide by 127\.5") as info:
        D(pixels)
    assert "Tanh" not in str(info.value)
    with pytest.raises(ImageShapeError, match=r"nn\.Tanh\(\), not nn\.Sigmoid\(\)"):
        D(torch.sigmoid(no_tanh_generator()(torch.randn(2, 8))))


# --- 4. build_latent_explorer(G) ------------------------------------------------------------------

def test_4_build_latent_explorer_takes_a_generator_and_refuses_anything_else():
    import ipywidgets as widgets
    G = MODELS["mlp"][0]
    widget = build_latent_explorer(G, scale=2)
    assert isinstance(widget, widgets.VBox)
    with pytest.raises(TypeError, match=r"takes a LatentExplorer \(or a generator G\), got NoneType"):
        build_latent_explorer(None)


# --- 5. an empty batch to show_grid ---------------------------------------------------------------

def test_5_show_grid_of_no_images_says_so():
    with pytest.raises(ValueError, match=r"got 0 images.*pass at least one"):
        show_grid(torch.zeros(0, 1, 28, 28))


# --- 6. show_progress(trainer), and nothing to show -----------------------------------------------

def test_6_show_progress_takes_a_trainer_and_refuses_what_is_not_a_history():
    G, D = MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16)
    trainer = GANTrainer(G, D, InMemoryBatches(images(8), batch_size=4), num_fixed=4)
    trainer.history.add_snapshot(0, trainer.sample_fixed())
    trainer.history.add_snapshot(5, trainer.sample_fixed())
    assert "<script" in show_progress(trainer, nrow=2).data
    with pytest.raises(TypeError, match=r"trainer\.history.*got NoneType"):
        show_progress(None)
    with pytest.raises(TypeError, match=r"trainer\.history.*got Tensor"):
        show_progress(images())


@pytest.mark.parametrize("empty", [History(), [], SimpleNamespace(history=History())])
def test_6_show_progress_with_no_snapshots_says_train_first(empty):
    with pytest.raises(ValueError, match="no snapshots to animate yet: train for at least one epoch"):
        show_progress(empty)


# --- the sweep: latent codes ----------------------------------------------------------------------

def test_s1_one_code_without_a_batch_dimension_gets_the_unsqueeze_hint():
    with pytest.raises(LatentShapeError, match=r"got \(8,\)\. For one vector use z\.unsqueeze\(0\)"):
        MODELS["dcgan"][0](torch.randn(8))


def test_s2_a_3d_code_gets_the_reshape_hint():
    with pytest.raises(LatentShapeError, match=r"got \(4, 8, 1\)\. Reshape it with z\.view\(len\(z\), 8\)"):
        MODELS["dcgan"][0](torch.randn(4, 8, 1))


def test_s3_inputs_on_another_device_are_refused_with_the_move():
    G, D = MODELS["conditional"]
    with pytest.raises(DeviceMismatchError, match=r"z is on meta, but ConditionalDCGANGenerator is on cpu: "
                                                  r"move z there first with z\.to\('cpu'\)"):
        G(torch.randn(2, 8, device="meta"), LABELS)
    with pytest.raises(DeviceMismatchError, match=r"labels is on meta.*labels\.to\('cpu'\)"):
        G(torch.randn(2, 8), LABELS.to("meta"))
    with pytest.raises(DeviceMismatchError, match=r"images is on meta.*images\.to\('cpu'\)"):
        MODELS["dcgan"][1](torch.zeros(2, 1, 28, 28, device="meta"))


def test_s4_integer_codes_are_refused():
    with pytest.raises(LatentShapeError, match=r"z should hold floats \(torch\.randn\), got dtype torch\.int64"):
        MODELS["mlp"][0](torch.randint(0, 3, (2, 8)))


def test_s5_a_batch_of_one_in_training_mode_warns_about_batch_norm():
    G = DCGANGenerator(latent_dim=8, ngf=4)
    with pytest.warns(UserWarning, match=r"training mode and got a batch of one.*call \.eval\(\) first"):
        G(torch.randn(1, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G.eval()(torch.randn(1, 8))                       # eval mode: fine
        MLPGenerator(latent_dim=8).train()(torch.randn(1, 8))  # no BatchNorm: fine


# --- images into a discriminator ------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [
    (torch.zeros(2, 1, 32, 32), r"should be 28x28 pixels.*got 32x32"),
    (torch.zeros(2, 3, 28, 28), r"should have 1 channel\(s\).*got 3 channel\(s\)"),
    (torch.zeros(28, 28), r"got \(28, 28\)\. For flat MLP output use \.view\(-1, 1, 28, 28\)"),
    (torch.zeros(2, 28, 28, 1), r"channels seem to be last \(NHWC\): use \.permute\(0, 3, 1, 2\)"),
], ids=["32x32", "3-channels", "no-batch-dims", "channels-last"])
def test_s6_to_s9_wrong_image_shapes_name_the_fix(bad, message):
    for D in (MODELS["mlp"][1], MODELS["dcgan"][1]):
        with pytest.raises(ImageShapeError, match=message):
            D(bad)


# --- labels ---------------------------------------------------------------------------------------

def test_s10_s11_s12_labels_out_of_range_miscounted_or_scalar():
    G = MODELS["conditional"][0]
    with pytest.raises(LabelError, match=r"labels must be in 0\.\.9, got values from 3 to 10"):
        G(torch.randn(2, 8), torch.tensor([3, 10]))
    with pytest.raises(LabelError, match=r"got values from -1 to 3"):
        G(torch.randn(2, 8), torch.tensor([3, -1]))
    with pytest.raises(LabelError, match=r"got 2 labels for 4 items: give one label per item"):
        G(torch.randn(4, 8), LABELS)
    with pytest.raises(LabelError, match=r"got shape \(\).*For a single label use torch\.tensor\(\[3\]\)"):
        G(torch.randn(1, 8), torch.tensor(3))


def test_s13_class_weights_that_are_not_a_tensor_are_refused():
    with pytest.raises(ValueError, match=r"class_weights should be a tensor shaped \(2, 10\).*got list"):
        MODELS["conditional"][0].from_class_weights(torch.randn(2, 8), [[0.1] * 10] * 2)


# --- grids ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("nrow", [0, -1, 2.5])
def test_s14_nrow_must_be_a_positive_whole_number(nrow):
    with pytest.raises(ValueError, match=rf"nrow \(images per row\) should be a whole number, at least 1, "
                                         rf"got {nrow}"):
        show_grid(images(), nrow=nrow)


def test_s15_a_numpy_batch_draws_like_a_tensor():
    assert torch.equal(image_grid(images(4).numpy(), nrow=2), image_grid(images(4), nrow=2))


def test_s16_pixels_0_to_255_in_a_grid_get_the_normalization_fix():
    with pytest.raises(ImageShapeError, match=r"0\.\.255 pixels\. Divide by 127\.5"):
        show_grid(torch.randint(0, 256, (2, 1, 28, 28)).float())


def test_s17_a_list_of_tensors_gets_the_stack_hint():
    with pytest.raises(TypeError, match=r"got a list of 2 tensors: join them with torch\.stack"):
        show_grid([images(1)[0], images(1)[0]])


def test_s18_save_to_makes_folders_and_refuses_files_folders_and_missing_suffixes(tmp_path):
    show_grid(images(), save_to=tmp_path / "new" / "deeper" / "grid.png")
    assert Image.open(tmp_path / "new" / "deeper" / "grid.png").size == (2 * 30 + 2, 30 + 2)
    (tmp_path / "a_file").write_text("in the way")
    with pytest.raises(ValueError, match=r"a_file is a file, not a folder"):
        show_grid(images(), save_to=tmp_path / "a_file" / "grid.png")
    with pytest.raises(ValueError, match=r"is a folder; give a file name inside it"):
        show_grid(images(), save_to=tmp_path)
    with pytest.raises(ValueError, match=r"should end in \.png or \.jpg or \.jpeg, got 'grid'"):
        show_grid(images(), save_to=tmp_path / "grid")


# --- the progress animation -----------------------------------------------------------------------

def test_s19_animation_options_are_checked(tmp_path):
    history = history_with_snapshots(3)
    with pytest.raises(ValueError, match=r"max_frames should be a whole number, at least 1, got 0"):
        show_progress(history, max_frames=0)
    assert pick_frames(5, 1) == [4]                      # one frame: the latest
    with pytest.raises(ValueError, match=r"interval_ms .* should be a positive number.*got -5"):
        show_progress(history, interval_ms=-5)
    with pytest.raises(ValueError, match=r"the title may use \{step\} and nothing else"):
        show_progress(history, title="epoch {epoch}")
    with pytest.raises(ValueError, match=r"gif_path should end in \.gif, got 'progress\.mp4'"):
        show_progress(history, gif_path=tmp_path / "progress.mp4")
    assert not list(tmp_path.iterdir())


def test_s20_snapshots_that_are_not_image_pairs_are_named():
    with pytest.raises(TypeError, match=r"each snapshot should be a \(step, images\) pair, got Tensor"):
        show_progress([images(), images()])
    points = History()
    points.add_snapshot(0, torch.randn(8, 2))
    with pytest.raises(ValueError, match=r"snapshots hold points \(8, 2\), not images.*toy_animation\(lab\)"):
        show_progress(points)


# --- curves ---------------------------------------------------------------------------------------

def test_s21_curves_take_a_trainer_and_name_missing_figures():
    with pytest.raises(ValueError, match="no steps yet: train first"):
        plot_losses(History())
    history = History()
    history.record(1, 1, {"loss_D": 0.7, "loss_G": 0.7, "D_x": 0.5, "D_G_z1": 0.5})
    history.record(2, 1, {"loss_D": 0.6, "loss_G": 0.8, "D_x": 0.6, "D_G_z1": 0.4})
    assert plot_training(SimpleNamespace(history=history)) is not None
    critic = History()
    critic.record(1, 1, {"loss_D": 1.0, "loss_G": 1.0, "wasserstein": 0.3})
    with pytest.raises(ValueError, match=r"plot_d_outputs draws D_x, D_G_z1, but this history has no D_x, "
                                         r"D_G_z1 \(it has .*wasserstein"):
        plot_d_outputs(critic)
    with pytest.raises(TypeError, match=r"plot_training takes the training history \(trainer\.history.*"
                                        r"got list"):
        plot_training([0.7, 0.6])


# --- latent math and the explorer -----------------------------------------------------------------

def test_s22_lerp_and_slerp_of_mismatched_zero_or_numpy_codes():
    with pytest.raises(ValueError, match=r"different latent sizes: \(100,\) and \(64,\)"):
        lerp(torch.randn(100), torch.randn(64), 0.5)
    b = torch.randn(10)
    assert torch.allclose(slerp(torch.zeros(10), b, 0.5), 0.5 * b)     # was NaN
    a = np.random.default_rng(0).standard_normal(10)                   # numpy, float64
    assert torch.allclose(slerp(a, b, 1.0).float(), b, atol=1e-5)
    with pytest.raises(ValueError, match="opposite directions"):
        slerp(b, -b, 0.5)
    with pytest.raises(ValueError, match="NaN or infinite"):
        slerp(torch.full((10,), float("nan")), b, 0.5)


def test_s23_counts_in_the_latent_helpers_are_whole_numbers():
    with pytest.raises(ValueError, match=r"steps \(the two ends included\) should be a whole number, at least 2, "
                                         r"got 10\.0; write 10"):
        interpolation_path(torch.randn(8), torch.randn(8), steps=10.0)
    with pytest.raises(ValueError, match=r"count should be a whole number, at least 1, got 2\.5"):
        random_directions(8, 2.5)
    with pytest.raises(ValueError, match=r"num_points should be a whole number, at least 1, got 0"):
        principal_directions(MODELS["mlp"][0], 2, num_points=0)


def test_s24_principal_directions_of_a_conditional_generator_default_or_check_the_labels():
    G = MODELS["conditional"][0]
    assert principal_directions(G, 2, num_points=2).shape == (2, 8)   # digits 0, 1 by default
    with pytest.raises(ValueError, match=r"labels should give one digit per point, shape \(3,\).*got \(1,\)"):
        principal_directions(G, 2, num_points=3, labels=torch.tensor([1]))


def test_s25_the_explorer_needs_a_latent_dim_and_draws_rgb_in_colour():
    with pytest.raises(TypeError, match=r"G\.latent_dim.*Sequential has none.*set G\.latent_dim = 100"):
        LatentExplorer(no_tanh_generator())
    torch.manual_seed(0)
    faces = LatentExplorer(DCGANGenerator(latent_dim=8, image_size=64, channels=3, ngf=4),
                           directions=np.eye(8)[:2])                  # numpy directions are fine
    picture = Image.open(io.BytesIO(faces.png(scale=2)))
    assert picture.mode == "RGB" and picture.size == (128, 128)
    image = build_latent_explorer(faces, scale=2).children[0].children[1].children[0]
    assert image.layout.width == "128px"


def test_s26_slider_weights_and_digits_are_checked():
    explorer = LatentExplorer(MODELS["conditional"][0], directions=torch.eye(8)[:2])
    with pytest.raises(ValueError, match=r"slider weight must be a finite number.*got nan"):
        explorer.set_weight(0, float("nan"))
    with pytest.raises(ValueError, match=r"digits must be whole numbers 0\.\.9, got 3\.7"):
        explorer.blend_digits(3.7, 5, 0.5)
    explorer.blend_digits(torch.tensor(3), np.int64(5), 0.5)
    assert explorer.digits == (3, 5)


# --- exercise checks ------------------------------------------------------------------------------

def test_s27_checks_survive_odd_answers_and_odd_teacher_inputs():
    nan = float("nan")
    result = checks.check_tensor(torch.tensor([nan, 1.0]), torch.tensor([nan, 2.0]))
    assert not result and "at index (1,)" in result.message          # was an IndexError
    assert checks.check_tensor(torch.tensor([nan, 2.0]), torch.tensor([nan, 2.0]))
    result = checks.check_function(lambda a: "x", lambda a: a, [(torch.zeros(2),)])
    assert not result and "returned str 'x'" in result.message
    assert "expected a tensor or a number" in result.message
    result = checks.check_function(lambda a: (a, a), lambda a: a, [(torch.zeros(2),)])
    assert not result and "returned tuple" in result.message
    assert checks.check_function(lambda a: a.sum(), lambda a: a.sum(), [torch.ones(2, 3)])  # one bare input
    for answer in ("ab", ""):
        assert "answer with one letter" in checks.check_choice(answer, "b").message


# --- constructors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, -3, 100.0, "100", True])
@pytest.mark.parametrize("model", [MLPGenerator, DCGANGenerator, ConditionalDCGANGenerator, ToyGenerator])
def test_s28_latent_dim_must_be_a_positive_whole_number(model, value):
    with pytest.raises(ValueError, match=rf"latent_dim should be a whole number, at least 1, got {value!r}"):
        model(latent_dim=value)


def test_s29_other_sizes_are_checked_when_the_model_is_built():
    with pytest.raises(ValueError, match=r"channels should be a whole number, at least 1, got 0"):
        DCGANDiscriminator(channels=0)
    with pytest.raises(ValueError, match=r"num_classes should be a whole number, at least 1, got 0"):
        ConditionalDCGANGenerator(num_classes=0)
    with pytest.raises(ValueError, match=r"depth should be a whole number, at least 0, got -1"):
        ToyDiscriminator(depth=-1)
    with pytest.raises(ValueError, match=r"image_shape should be \(channels, size, size\).*got \(28, 28\)"):
        MLPDiscriminator(image_shape=(28, 28))
    for size in (32, 28.0):
        with pytest.raises(ValueError, match=rf"image_size must be 28 .* or 64 .*got {size}"):
            DCGANGenerator(image_size=size)


def test_s30_integer_points_into_the_toy_discriminator_get_the_fix():
    with pytest.raises(ValueError, match=r"judges points as floats, got dtype torch\.int64; "
                                         r"use points\.float\(\)"):
        ToyDiscriminator()(torch.tensor([[1, 2], [3, 4]]))
