"""What the 2D lab's datasets, losses and runs are called on the reader's screen, in English or
Chinese (lesson 07 and ``toy.view`` print and title with these). The keys stay English: they are
what ``ToyGAN(data=..., loss=...)`` takes; only the words a reader sees change with the language."""
from ..language import language

DISPLAY_NAMES = {
    # the datasets (TOY_DATASETS)
    "ring": ("ring", "圆环"),
    "grid": ("grid", "网格"),
    "spiral": ("spiral", "螺旋"),
    # the losses (TOY_LOSSES)
    "non-saturating": ("non-saturating", "非饱和"),
    "saturating": ("saturating", "饱和"),
    "hinge": ("hinge", "铰链"),
    "wgan-gp": ("wgan-gp", "WGAN-GP"),
    # the runs of lesson 07
    "healthy": ("healthy", "健康"),
    "collapsed": ("collapsed", "模式崩溃"),
    "D overpowers": ("D overpowers", "D 压制 G"),
}


def toy_name(key: str) -> str:
    """The display name of a toy dataset, loss or lesson 07 run in the current language:
    ``toy_name("ring")`` is "ring", or "圆环" after ``start_lesson(lang="zh")``. A key without
    a display name is shown as it is."""
    english, chinese = DISPLAY_NAMES.get(key, (key, key))
    return chinese if language() == "zh" else english
