"""The truncation trade-off (lesson 09): how fidelity and diversity move as G's noise is kept nearer
the middle of z-space. The slider in the lesson draws samples; this measures them."""
from .manifold import precision_recall_from_features
from .report import draw_samples, held_out_features
from .scores import features, frechet_from_features


def truncation_sweep(G, thresholds, n: int = 1000, seed: int = 0, k: int = 3) -> list[dict]:
    """For each threshold (None: no truncation), ``n`` samples of G on noise truncated there, scored
    against the held-out digits: precision, recall and the Frechet distance. The same seed for every
    threshold, so the rows differ only in how far the noise may reach. A conditional G is asked for
    each digit equally often."""
    thresholds = list(thresholds)
    if not thresholds:
        raise ValueError("thresholds is empty: give some, e.g. [None, 2.0, 1.0, 0.5] (None: no truncation).")
    reference_f = held_out_features()
    rows = []
    for threshold in thresholds:
        fake_f = features(draw_samples(G, n, seed, threshold=threshold))   # a conditional G: each digit in turn
        scores = precision_recall_from_features(fake_f, reference_f, k)
        rows.append({"threshold": threshold, "precision": scores["precision"], "recall": scores["recall"],
                     "frechet_distance": frechet_from_features(fake_f, reference_f)})
    return rows
