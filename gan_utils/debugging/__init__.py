"""The bug lab of lesson 08: a small GAN loop (``loop.py``), real bugs that each change one of its
lines (``bugs.py``), seeded runs of it (``lab.py``) and three unnamed bugs to find (``mysteries.py``).
The health panel that reads the runs is ``gan_utils.viz.plot_health``; its rules are
``gan_utils.train.diagnosis``."""
from .bugs import BUGS, Bug, get_bug, show_bug, with_bug
from .lab import LabRun, run_lab
from .mysteries import MYSTERIES, check_mystery, run_mystery

__all__ = ["BUGS", "Bug", "LabRun", "MYSTERIES", "check_mystery", "get_bug", "run_lab", "run_mystery",
           "show_bug", "with_bug"]
