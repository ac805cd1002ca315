"""One function per report section. Each takes the run's pieces and returns HTML, or a note saying
what is missing; none of them raises for a missing piece."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convlens.report.page import figure_img, note, paragraph, preformatted, table
from convlens.report.run_dir import RunData
from convlens.viz import (
    plot_confusion_matrix,
    plot_feature_maps,
    plot_filters,
    plot_grad_cam,
    plot_predictions,
    plot_top_losses,
    plot_training_curves,
)
from convlens.viz._images import as_class_ids
from convlens.viz._model import conv_layers, layer_name


@dataclass
class Evaluated:
    """The test samples as fed to the model, and the model's class probabilities for them."""

    x_model: np.ndarray
    probabilities: np.ndarray
    y_true: np.ndarray


def model_inputs(x: np.ndarray) -> np.ndarray:
    """Integer images (uint8 pixels) become float32 / 255, the notes' rescaling; floats go in as they are."""
    arr = np.asarray(x)
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.float32) / 255.0
    return arr.astype(np.float32)


def evaluate(data: RunData) -> Evaluated | None:
    """Run the model on the stored test samples; None when the model or the samples are missing."""
    if data.model is None or data.x_test is None or data.y_test is None:
        return None
    x_model = model_inputs(data.x_test)
    if x_model.ndim == 3:
        x_model = x_model[..., None]  # (N, H, W) greyscale -> (N, H, W, 1)
    probs = np.asarray(data.model.predict(x_model), dtype=np.float64)
    if probs.ndim == 2 and probs.shape[1] == 1:  # one sigmoid unit: P(class 1)
        probs = np.concatenate([1.0 - probs, probs], axis=1)
    if probs.ndim != 2 or len(probs) != len(x_model):
        raise ValueError(f"model.predict returned shape {probs.shape}; expected ({len(x_model)}, num_classes)")
    return Evaluated(x_model, probs, as_class_ids(data.y_test, "y_test"))


def _why_missing(data: RunData, *pieces: str) -> str:
    reasons = [f"{piece}: {data.notes[piece]}" for piece in pieces if piece in data.notes]
    return "; ".join(reasons) if reasons else "it was not given"


def summary_section(data: RunData) -> str:
    if data.summary is None:
        return note(f"No model summary ({_why_missing(data, 'summary', 'model')}).")
    return preformatted(data.summary)


def curves_section(data: RunData) -> str:
    if data.history is None:
        return note(f"No training history ({_why_missing(data, 'history')}).")
    epochs = len(next(iter(data.history.values()), []))
    return figure_img(plot_training_curves(data.history), "training curves", f"{epochs} epochs, train vs validation")


def results_section(data: RunData, evaluated: Evaluated | None) -> str:
    parts = []
    if data.metrics:
        rows = [(str(k), f"{v:.4f}" if isinstance(v, (int, float)) else str(v)) for k, v in data.metrics.items()]
        parts.append(table(rows))
    else:
        parts.append(note(f"No metrics.json ({_why_missing(data, 'metrics')})."))
    if evaluated is None:
        parts.append(note(f"No confusion matrix: it needs the model and test samples ({_why_missing(data, 'model', 'test_data')})."))
        return "".join(parts)
    pred = evaluated.probabilities.argmax(axis=1)
    accuracy = float(np.mean(pred == evaluated.y_true))
    parts.append(paragraph(f"Accuracy on the {len(pred)} stored test samples: {accuracy:.2%}"))
    num_classes = max(evaluated.probabilities.shape[1], len(data.class_names or []))
    fig = plot_confusion_matrix(evaluated.y_true, pred, class_names=data.class_names, num_classes=num_classes)
    parts.append(figure_img(fig, "confusion matrix", "rows: true class, columns: predicted class"))
    return "".join(parts)


def _display(data: RunData, evaluated: Evaluated) -> np.ndarray:
    return np.asarray(data.x_test) if data.x_test is not None else evaluated.x_model


def predictions_section(data: RunData, evaluated: Evaluated | None, count: int = 24) -> str:
    if evaluated is None:
        return note(f"No predictions: they need the model and test samples ({_why_missing(data, 'model', 'test_data')}).")
    n = min(count, len(evaluated.y_true))
    fig = plot_predictions(_display(data, evaluated)[:n], evaluated.y_true[:n], evaluated.probabilities[:n], data.class_names)
    return figure_img(fig, "predictions", "title: predicted (true); blue = right, red = wrong")


def mistakes_section(data: RunData, evaluated: Evaluated | None, count: int = 10) -> str:
    if evaluated is None:
        return note(f"No mistakes to show: they need the model and test samples ({_why_missing(data, 'model', 'test_data')}).")
    fig = plot_top_losses(_display(data, evaluated), evaluated.y_true, evaluated.probabilities, data.class_names, k=count)
    return figure_img(fig, "most confident mistakes", "highest-loss misclassified samples; p = probability of the prediction")


def filters_section(data: RunData) -> str:
    if data.model is None:
        return note(f"No filters: there is no model ({_why_missing(data, 'model')}).")
    return figure_img(plot_filters(data.model), "first-layer filters", "each kernel scaled to its own range")


def feature_maps_section(data: RunData, evaluated: Evaluated | None, sample: int, max_layers: int = 3) -> str:
    if evaluated is None:
        return note(f"No feature maps: they need the model and test samples ({_why_missing(data, 'model', 'test_data')}).")
    if not 0 <= sample < len(evaluated.x_model):
        return note(f"Sample {sample} is outside the {len(evaluated.x_model)} stored test samples.")
    parts = [paragraph(f"Test sample {sample}, true class {_name(data, int(evaluated.y_true[sample]))}.")]
    for layer in conv_layers(data.model)[:max_layers]:
        fig = plot_feature_maps(data.model, evaluated.x_model[sample], layer, max_maps=16)
        parts.append(f"<h3>{layer_name(layer)}</h3>" + figure_img(fig, f"feature maps of {layer_name(layer)}"))
    return "".join(parts)


def gradcam_section(data: RunData, evaluated: Evaluated | None, sample: int) -> str:
    if evaluated is None or not 0 <= sample < len(evaluated.x_model):
        return note(f"No Grad-CAM: it needs the model and test sample {sample} ({_why_missing(data, 'model', 'test_data')}).")
    fig = plot_grad_cam(
        data.model, evaluated.x_model[sample], class_names=data.class_names, display_image=_display(data, evaluated)[sample]
    )
    return figure_img(fig, "Grad-CAM", "where the last Conv2D layer's features raised the predicted class's score")


def _name(data: RunData, class_id: int) -> str:
    if data.class_names and 0 <= class_id < len(data.class_names):
        return f"{class_id} ({data.class_names[class_id]})"
    return str(class_id)
