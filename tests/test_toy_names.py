"""The 2D lab's display names: every dataset and loss the lab accepts is named in both languages,
and the lab's pictures title with those names (the keys a learner passes stay English)."""
import re

import matplotlib
import pytest

from gan_utils.language import set_language
from gan_utils.toy import DISPLAY_NAMES, TOY_DATASETS, TOY_LOSSES, ToyGAN, draw_centre_path, draw_toy_gan, toy_name
from gan_utils.toy.view import toy_animation

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def chinese():
    set_language("zh")
    yield
    set_language("en")


@pytest.mark.parametrize("key", TOY_DATASETS + TOY_LOSSES)
def test_every_dataset_and_loss_has_an_english_and_a_chinese_name(key):
    english, chinese = DISPLAY_NAMES[key]
    assert english == key                      # the English edition shows the key itself
    assert chinese and (CJK.search(chinese) or chinese.isupper())   # Chinese, or an acronym (WGAN-GP)


def test_toy_name_follows_the_language(chinese):
    assert toy_name("ring") == "圆环" and toy_name("non-saturating") == "非饱和"
    assert toy_name("not a name") == "not a name"
    set_language("en")
    assert toy_name("ring") == "ring" and toy_name("non-saturating") == "non-saturating"


@pytest.mark.parametrize("data, loss", [("ring", "non-saturating"), ("spiral", "saturating"), ("grid", "wgan-gp")])
def test_the_views_titles_use_the_chinese_names(chinese, data, loss):
    import matplotlib.pyplot as plt
    lab = ToyGAN(data=data, loss=loss, hidden_dim=8).train(2, progress=False)
    ax = draw_toy_gan(lab, resolution=10, arrows=5)
    path = draw_centre_path(lab)
    animation = toy_animation(lab)
    animation._func(0)                          # draw the first frame, which sets its title
    titles = [ax.get_title(), path.get_title(), animation._fig.axes[0].get_title()]
    plt.close("all")
    for title in titles:
        assert toy_name(data) in title and toy_name(loss) in title, title
        if loss != "wgan-gp":
            assert loss not in title, title    # no English run name on a Chinese reader's screen


def test_centre_history_is_the_mean_of_each_snapshot():
    lab = ToyGAN(hidden_dim=8).train(4, snapshot_every=2, progress=False)
    steps, centres = lab.centre_history()
    assert steps == [0, 2, 4] and centres.shape == (3, 2)
    assert centres[-1].tolist() == pytest.approx(lab.snapshots[-1][1].mean(dim=0).tolist())
