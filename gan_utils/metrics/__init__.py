"""How good is a generator? The course's digit classifier and the scores built on it."""
from .classifier import DigitClassifier, load_classifier
from ..data.split import reference_split   # which digits every honest score compares with
from .manifold import Memorisation, memorisation, precision_recall
from .report import draw_samples, print_scores, score_generator
from .truncation import truncation_sweep
from .scores import (MAX_ENTROPY, class_entropy, class_histogram, classify, conditional_accuracy,
                     features, frechet_distance, real_floor)

__all__ = ["DigitClassifier", "MAX_ENTROPY", "Memorisation", "class_entropy", "class_histogram", "classify",
           "conditional_accuracy", "memorisation", "precision_recall", "reference_split", "features", "frechet_distance", "draw_samples", "load_classifier",
           "print_scores", "real_floor", "score_generator", "truncation_sweep"]
