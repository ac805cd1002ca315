"""Self-contained HTML report of a training run: one file that opens offline (images are base64 PNG
data URIs, CSS is inline, no external URL).

Run folder layout read by `write_report(run_dir)` / `convlens report RUN_DIR` (every file optional;
a missing or unreadable one becomes a visible note in the section that needed it):

    RUN_DIR/
        model.convlens      saved model, loaded with `convlens.models.load_model(RUN_DIR / "model.convlens")`
        history.csv         CSVLogger output: an `epoch` column, then one column per log key
                            (loss, accuracy, val_loss, val_accuracy, ...)
        summary.txt         the model summary text (shapes, params, receptive field); if absent the report
                            calls `model.summary(return_string=True)`
        metrics.json        {"test_loss": float, "test_accuracy": float, ...} shown as a table
        test_data.npz       arrays `x_test` (N, H, W, C) or (N, H, W) and `y_test` (N,) class ids or (N, K)
                            one-hot; optional `class_names` (K,) strings. uint8 `x_test` is divided by 255
                            before it is fed to the model (the notes' rescaling); float `x_test` is fed as is.
                            A few hundred samples are enough.
        class_names.json    optional JSON list of class names (else npz `class_names`, else the model's
                            `class_indices`, else the class ids are shown)
        run.json            optional JSON object describing the run, shown under "Run settings": dataset,
                            model, train_samples, validation_samples, test_samples, test_set (e.g. "MNIST
                            test split"), epochs, batch_size, optimizer, learning_rate, loss, seed,
                            augmentation, wall_time_s, images_per_s, device (any other key is shown too).
                            Without it the optimizer, learning rate and loss come from the model file.
        dataset.json        written by `convlens train`: dataset, seed, split sizes, image size (shown too;
                            run.json wins where both give a value)
        report.html         written here

Sections: run settings, model summary, training curves (best epoch marked), test results (one test accuracy,
confusion matrix, per-class precision and recall, most confused pairs), predictions, most confident mistakes,
first-layer filters, feature maps of one test sample, Grad-CAM of three samples. Each opens with what the
picture shows in the lecture notes' words.

Example:
    >>> from convlens.report import write_report
    >>> write_report("runs/mnist")  # doctest: +SKIP
    PosixPath('runs/mnist/report.html')
"""
from convlens.report.run_dir import RunData, load_run
from convlens.report.writer import write_report

__all__ = ["RunData", "load_run", "write_report"]
