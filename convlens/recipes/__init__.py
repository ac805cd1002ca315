"""Training recipes: whole, readable programs that reach a stated accuracy fast (see ``convlens.recipes.fast``)."""
from convlens.recipes.fast import evaluate_fast, fast_cnn, predict_fast, train_fast

__all__ = ["fast_cnn", "train_fast", "predict_fast", "evaluate_fast"]
