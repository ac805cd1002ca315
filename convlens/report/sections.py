"""One function per report section. Each takes the run's pieces and returns HTML, or a note saying
what is missing; none of them raises for a missing piece. Each section opens with a sentence or two on what the
picture shows and how to read it, in the lecture notes' words (filter, feature map, pooling, receptive field)."""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlens.report.page import figure_img, note, paragraph, preformatted, table
from convlens.report.run_dir import RunData
from convlens.viz import (
    most_confused,
    plot_confusion_matrix,
    plot_feature_maps,
    plot_filters,
    plot_grad_cam,
    plot_predictions,
    plot_top_patches,
    plot_top_losses,
    plot_training_curves,
    plot_transfer_phases,
    precision_recall,
)
from convlens.viz._images import as_class_ids
from convlens.viz._model import conv_layers, layer_name, probabilities
from convlens.viz.history import best_epoch

INTRO = {
    "run": "What was trained, on which data, with which settings, and how fast. Together with the seed, these "
           "are what you need to run the same experiment again.",
    "summary": "Every layer with its output shape and number of parameters. A Conv2D layer's parameters are its "
               "filters (kernel height x width x input channels, plus one bias, per filter); pooling layers have "
               "none. The receptive field column says how many input pixels one value of that layer's feature map "
               "can see.",
    "curves": "Loss and accuracy after every epoch, on the training data and on the validation data the network "
              "never trains on. When the validation loss stops falling while the training loss keeps falling, "
              "the network has started to memorise the training images (overfitting).",
    "phases": "Transfer learning in phases: first only the new head trains on top of the frozen pretrained base, "
              "then the top layers of the base are unfrozen and fine-tuned with a low learning rate, the epochs "
              "counting on. Solid lines are the validation data, dashed lines the training data; the grey curve, "
              "when there is one, is the same network trained from scratch for as many epochs: the gap between "
              "them is what the pretrained features bought.",
    "results": "How the trained network does on test images it has never seen. In the confusion matrix each row is "
               "a true class and each column a predicted class: the diagonal counts the right answers, every other "
               "cell is one kind of mistake.",
    "predictions": "Test images with the class the network predicted and, in brackets, the true class: blue when "
                   "right, red when wrong.",
    "mistakes": "The test images the network got most confidently wrong: the highest loss, that is the lowest "
                "probability given to the true class, first. They often show ambiguous or mislabelled images.",
    "filters": "The first Conv2D layer's filters (kernels): small grids of learned weights slid over the image. "
               "Red weights are positive, blue negative, white near zero; a filter with a red side and a blue side "
               "responds to an edge, like the hand-made edge kernels in the notes.",
    "feature-maps": "The feature maps one test image produces: the output of each filter of a Conv2D layer at every "
                    "position. Deeper layers look at a larger receptive field, so their maps are smaller (after "
                    "pooling) and respond to larger shapes.",
    "top-patches": "What excites a filter (as in Zeiler and Fergus's figures in the notes): for the last Conv2D "
                   "layer, the test-image patches that make each filter respond most, strongest first, one per "
                   "image. Each patch is exactly the unit's receptive field, the input pixels it can see; patches "
                   "that look alike show the pattern the filter has learned to detect.",
    "grad-cam": "Grad-CAM: which parts of the image raised the score of the predicted class, measured on the last "
                "Conv2D layer's feature maps (the gradient of the class score before softmax, averaged per feature "
                "map, weights each map). Red regions are where the network looked.",
}


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
    probs = probabilities(data.model, x_model)
    if probs.ndim != 2 or len(probs) != len(x_model):
        raise ValueError(f"model.predict returned shape {probs.shape}; expected ({len(x_model)}, num_classes)")
    return Evaluated(x_model, probs, as_class_ids(data.y_test, "y_test"))


def intro(key: str) -> str:
    """The section's opening sentences."""
    return f'<p class="intro">{INTRO[key]}</p>'


def _why_missing(data: RunData, *pieces: str) -> str:
    reasons = [f"{piece}: {data.notes[piece]}" for piece in pieces if piece in data.notes]
    return "; ".join(reasons) if reasons else "it was not given"


def value_text(value: Any) -> str:
    """Numbers as people write them: whole numbers without decimals, others with 4 significant digits.

    >>> value_text(1000.0), value_text(0.97321), value_text("adam"), value_text(1234567), value_text(14981.7)
    ('1,000', '0.9732', 'adam', '1,234,567', '14,982')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or (math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    if math.isfinite(value) and 1e4 <= abs(value) < 1e15:  # 14,982 images/s, not 1.498e+04
        return f"{round(value):,}"
    return f"{value:.4g}"


_RUN_KEYS = [  # (run.json key, label)
    ("dataset", "dataset"), ("model", "model"), ("train_samples", "training images"),
    ("validation_samples", "validation images"), ("test_samples", "test images"), ("test_set", "test set"),
    ("kind", "data source"), ("image_size", "image size"), ("color_mode", "colour mode"),
    ("interpolation", "resize interpolation"), ("epochs", "epochs asked"), ("batch_size", "batch size"), ("optimizer", "optimizer"),
    ("learning_rate", "learning rate"), ("loss", "loss"), ("seed", "seed"), ("augmentation", "augmentation"),
    ("wall_time_s", "wall time (s)"), ("images_per_s", "training speed (images/s)"), ("device", "device"),
    ("torch_version", "torch"), ("convlens_version", "convlens"),
]


def run_rows(data: RunData) -> list[tuple[str, str]]:
    """The run's settings: run.json first, then what the model file and history.csv tell."""
    info = dict(data.run_info or {})
    rows = [(label, value_text(info.pop(key))) for key, label in _RUN_KEYS if key in info]
    rows += [(str(key), value_text(value)) for key, value in info.items()]
    have = {label for label, _ in rows}
    compile_meta = (data.model_meta or {}).get("compile") or {}
    optimizer = compile_meta.get("optimizer") or {}
    if "optimizer" not in have and optimizer:
        settings = ", ".join(f"{k}={value_text(v)}" for k, v in optimizer.items()
                             if k not in ("class_name", "learning_rate") and v not in (None, False))
        rows.append(("optimizer", f"{optimizer.get('class_name', '?')}" + (f" ({settings})" if settings else "")))
    if "learning rate" not in have and "learning_rate" in optimizer:
        rows.append(("learning rate", value_text(optimizer["learning_rate"])))
    loss = compile_meta.get("loss")
    if "loss" not in have and loss:
        name = loss.get("name") or loss.get("class_name") if isinstance(loss, dict) else loss
        rows.append(("loss", str(name)))
    if data.history and "epochs asked" not in have:
        rows.append(("epochs trained", value_text(len(next(iter(data.history.values()))))))
    if data.metrics and "test images" not in have and "test_samples" in data.metrics:
        rows.append(("test images", value_text(data.metrics["test_samples"])))
    return rows


def run_section(data: RunData) -> str:
    rows = run_rows(data)
    parts = [intro("run")]
    parts.append(table(rows) if rows else "")
    missing = [label for key, label in _RUN_KEYS
               if key in ("dataset", "batch_size", "seed", "wall_time_s", "images_per_s")
               and label not in {r[0] for r in rows}]
    if missing:
        why = data.notes.get("run_info", "run.json does not give them")
        parts.append(note(f"Not recorded for this run: {', '.join(missing)} (read from run.json: {why})."))
    return "".join(parts)


def summary_section(data: RunData) -> str:
    if data.summary is None:
        return intro("summary") + note(f"No model summary ({_why_missing(data, 'summary', 'model')}).")
    return intro("summary") + preformatted(data.summary)


def has_values(values: list[float] | None) -> bool:
    return bool(values) and any(not math.isnan(v) for v in values)


def transfer_phases(data: RunData) -> dict[str, dict[str, list[float]]] | None:
    """The phase histories a fine-tune saves in metrics.json (``{"history": {"frozen": {...}, ...}}``), or None."""
    phases = (data.metrics or {}).get("history")
    if isinstance(phases, dict) and phases and all(isinstance(h, dict) for h in phases.values()):
        return phases
    return None


def phases_html(phases: dict[str, dict[str, list[float]]]) -> str:
    """The transfer-learning figure: every phase on one epoch axis."""
    fig = plot_transfer_phases(phases)
    lengths = {name.replace("_", " "): len(next(iter(h.values()), [])) for name, h in phases.items()}
    caption = " · ".join(f"{name}: {n} epoch{'' if n == 1 else 's'}" for name, n in lengths.items())
    return intro("phases") + figure_img(fig, "transfer learning phases", caption)


def curves_section(data: RunData) -> str:
    phases = transfer_phases(data)
    if data.history is None and phases is not None:
        return phases_html(phases)
    if data.history is None:
        return intro("curves") + note(f"No training history ({_why_missing(data, 'history')}).")
    epochs = len(next(iter(data.history.values()), []))
    monitor = "val_loss" if has_values(data.history.get("val_loss")) else None
    fig = plot_training_curves(data.history, mark_best=monitor)
    caption = f"{epochs} epochs, train vs validation"
    if monitor:
        best = best_epoch(data.history[monitor], monitor)
        caption += (f"; dashed green line: epoch {best + 1}, the lowest validation loss, whose weights "
                    f"convlens train restores (ModelCheckpoint with save_best_only) before testing")
    else:
        caption += "; no validation data, so no best epoch is marked"
    extra = phases_html(phases) if phases is not None else ""
    return intro("curves") + figure_img(fig, "training curves", caption) + extra


def _test_set(data: RunData) -> str:
    metrics, info = data.metrics or {}, data.run_info or {}
    name = metrics.get("test_set") or metrics.get("test_split") or info.get("test_set")
    return str(name) if name else "test set"


def results_section(data: RunData, evaluated: Evaluated | None) -> str:
    parts = [intro("results")]
    metrics = {k: v for k, v in (data.metrics or {}).items() if k != "history"}  # phases: in the curves section
    total = metrics.get("test_samples")
    headline = None
    if "test_accuracy" in metrics:
        count = f" on {value_text(total)} images" if total is not None else ""
        headline = f"Test accuracy: {float(metrics['test_accuracy']):.2%}{count} of the {_test_set(data)}"
        if "test_loss" in metrics:
            headline += f" (loss {float(metrics['test_loss']):.4f})"
        parts.append(f'<p class="headline">{headline}</p>')
        other = [(str(k), value_text(v)) for k, v in metrics.items()
                 if k not in ("test_accuracy", "test_loss", "test_samples", "test_set", "test_split")]
        if other:
            parts.append(table(other))
    elif metrics:
        parts.append(table([(str(k), value_text(v)) for k, v in metrics.items()]))
    else:
        parts.append(note(f"No metrics.json ({_why_missing(data, 'metrics')})."))
    if evaluated is None:
        parts.append(note(f"No confusion matrix: it needs the model and test samples "
                          f"({_why_missing(data, 'model', 'test_data')})."))
        return "".join(parts)
    pred = evaluated.probabilities.argmax(axis=1)
    n = len(pred)
    num_classes = max(evaluated.probabilities.shape[1], len(data.class_names or []))
    stored = f"the {n:,} test images stored in the run folder"
    if total is not None and int(total) != n:
        stored += f" (of the {value_text(total)} tested)"
    if headline is None:
        parts.append(f'<p class="headline">Accuracy on {stored}: {float(np.mean(pred == evaluated.y_true)):.2%}</p>')
        stored_title = f"Confusion matrix of {n:,} stored test images"
    else:
        parts.append(paragraph(f"The tables and pictures below use {stored}."))
        stored_title = f"Confusion matrix of the {n:,} stored test images"
    fig = plot_confusion_matrix(evaluated.y_true, pred, class_names=data.class_names, num_classes=num_classes,
                                title=stored_title)
    parts.append(figure_img(fig, "confusion matrix", "rows: true class, columns: predicted class"))
    parts.append(_per_class_table(data, evaluated.y_true, pred, num_classes))
    confused = most_confused(evaluated.y_true, pred, class_names=_names(data, num_classes), min_val=2)[:5]
    if confused:
        parts.append("<h3>Most confused pairs</h3>" + table(
            [(f"true {a} predicted as {b}", f"{count} times") for a, b, count in confused]))
    return "".join(parts)


def _names(data: RunData, k: int) -> list[str]:
    names = list(data.class_names or [])
    return names if len(names) == k else [str(i) for i in range(k)]


def _per_class_table(data: RunData, y_true: np.ndarray, pred: np.ndarray, k: int) -> str:
    precision, recall, support = precision_recall(y_true, pred, k)
    names = _names(data, k)

    def pct(v: float) -> str:
        return "–" if math.isnan(v) else f"{v:.1%}"

    rows = "".join(f"<tr><th>{_escape(names[i])}</th><td>{pct(precision[i])}</td><td>{pct(recall[i])}</td>"
                   f"<td>{support[i]:,}</td></tr>" for i in range(k))
    return ("<h3>Per class</h3><p>Precision: of the images predicted as this class, how many are. Recall: of the "
            "images of this class, how many were found.</p><div class=\"scroll\"><table><tr><th>class</th>"
            f"<th>precision</th><th>recall</th><th>images</th></tr>{rows}</table></div>")


def _escape(text: str) -> str:
    return html.escape(text)


def _display(data: RunData, evaluated: Evaluated) -> np.ndarray:
    return np.asarray(data.x_test) if data.x_test is not None else evaluated.x_model


def predictions_section(data: RunData, evaluated: Evaluated | None, count: int = 18) -> str:
    if evaluated is None:
        return intro("predictions") + note(f"No predictions: they need the model and test samples "
                                           f"({_why_missing(data, 'model', 'test_data')}).")
    n = min(count, len(evaluated.y_true))
    fig = plot_predictions(_display(data, evaluated)[:n], evaluated.y_true[:n], evaluated.probabilities[:n],
                           data.class_names, ncols=6)
    return intro("predictions") + figure_img(fig, "predictions", "title: predicted (true); blue = right, red = wrong")


def mistakes_section(data: RunData, evaluated: Evaluated | None, count: int = 10) -> str:
    if evaluated is None:
        return intro("mistakes") + note(f"No mistakes to show: they need the model and test samples "
                                        f"({_why_missing(data, 'model', 'test_data')}).")
    fig = plot_top_losses(_display(data, evaluated), evaluated.y_true, evaluated.probabilities, data.class_names,
                          k=count)
    return intro("mistakes") + figure_img(
        fig, "most confident mistakes", "title: prediction / actual, then the loss / the probability given to the "
                                        "actual class")


def filters_section(data: RunData) -> str:
    if data.model is None:
        return intro("filters") + note(f"No filters: there is no model ({_why_missing(data, 'model')}).")
    return intro("filters") + figure_img(plot_filters(data.model), "first-layer filters",
                                         "one colour scale for all filters; the colour bar gives the weight")


def feature_maps_section(data: RunData, evaluated: Evaluated | None, sample: int, max_layers: int = 3) -> str:
    if evaluated is None:
        return intro("feature-maps") + note(f"No feature maps: they need the model and test samples "
                                            f"({_why_missing(data, 'model', 'test_data')}).")
    if not 0 <= sample < len(evaluated.x_model):
        return intro("feature-maps") + note(f"Sample {sample} is outside the {len(evaluated.x_model)} stored test "
                                            f"samples.")
    parts = [intro("feature-maps"),
             paragraph(f"Test sample {sample}, true class {_name(data, int(evaluated.y_true[sample]))}.")]
    for layer in conv_layers(data.model)[:max_layers]:
        name = layer_name(layer, data.model)
        fig = plot_feature_maps(data.model, evaluated.x_model[sample], layer, max_maps=16)
        parts.append(f"<h3>{_escape(name)}</h3>" + figure_img(fig, f"feature maps of {name}"))
    return "".join(parts)


def top_patches_section(data: RunData, evaluated: Evaluated | None, count: int = 500, max_filters: int = 8) -> str:
    if evaluated is None:
        return intro("top-patches") + note(f"No patches: they need the model and test samples "
                                           f"({_why_missing(data, 'model', 'test_data')}).")
    layer = conv_layers(data.model)[-1]
    used, filters = min(count, len(evaluated.x_model)), int(getattr(layer, "filters", max_filters))
    fig = plot_top_patches(data.model, evaluated.x_model[:used], layer, k=9, max_filters=max_filters)
    return intro("top-patches") + figure_img(
        fig, f"top patches of {layer_name(layer, data.model)}",
        f"searched in the first {used} test samples; " + (f"the first {max_filters} of its {filters} filters" if
                                                          filters > max_filters else f"all {filters} filters"))


def gradcam_section(data: RunData, evaluated: Evaluated | None, sample: int, count: int = 3) -> str:
    if evaluated is None or not 0 <= sample < len(evaluated.x_model):
        return intro("grad-cam") + note(f"No Grad-CAM: it needs the model and test sample {sample} "
                                        f"({_why_missing(data, 'model', 'test_data')}).")
    picked = slice(sample, min(sample + count, len(evaluated.x_model)))
    fig = plot_grad_cam(data.model, evaluated.x_model[picked], class_names=data.class_names,
                        display_image=_display(data, evaluated)[picked], y_true=evaluated.y_true[picked])
    return intro("grad-cam") + figure_img(
        fig, "Grad-CAM", f"test samples {picked.start} to {picked.stop - 1}; title: the predicted class, its "
                         f"probability, right or wrong")


def _name(data: RunData, class_id: int) -> str:
    if data.class_names and 0 <= class_id < len(data.class_names):
        return f"{class_id} ({data.class_names[class_id]})"
    return str(class_id)
