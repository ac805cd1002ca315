"""Plots of data, training and a CNN's insides. Every function returns a matplotlib Figure built with
the object-oriented API on an Agg canvas (no pyplot, no display), and writes a PNG when given `save=path`.

Example:
    >>> from convlens.viz import plot_training_curves
    >>> fig = plot_training_curves("runs/mnist/history.csv", save="curves.png")  # doctest: +SKIP
"""
from convlens.viz.augmentation import plot_augmented
from convlens.viz.channels import plot_rgb_channels
from convlens.viz.confusion import confusion_matrix, most_confused, plot_confusion_matrix, precision_recall
from convlens.viz.curves import plot_training_curves
from convlens.viz.dense_conv import dense_as_conv, plot_dense_as_conv
from convlens.viz.feature_maps import feature_maps, plot_feature_maps
from convlens.viz.filters import conv_kernel, plot_filters
from convlens.viz.gradcam import grad_cam, plot_grad_cam
from convlens.viz.history import read_history
from convlens.viz.lr_find import plot_lr_find
from convlens.viz.mistakes import plot_top_losses, top_losses
from convlens.viz.phases import plot_transfer_phases
from convlens.viz.pixels import annotate_pixels, plot_pixel_values
from convlens.viz.predictions import plot_predictions
from convlens.viz.samples import plot_samples
from convlens.viz.excite import plot_top_patches, top_patches

visualize_input = annotate_pixels  # the notes' name for drawing one image with its pixel values

__all__ = [
    "annotate_pixels",
    "conv_kernel",
    "confusion_matrix",
    "dense_as_conv",
    "feature_maps",
    "grad_cam",
    "most_confused",
    "plot_augmented",
    "plot_confusion_matrix",
    "plot_dense_as_conv",
    "plot_feature_maps",
    "plot_filters",
    "plot_grad_cam",
    "plot_lr_find",
    "plot_pixel_values",
    "plot_predictions",
    "plot_rgb_channels",
    "plot_samples",
    "plot_top_losses",
    "plot_top_patches",
    "plot_training_curves",
    "plot_transfer_phases",
    "precision_recall",
    "read_history",
    "top_losses",
    "top_patches",
    "visualize_input",
]
