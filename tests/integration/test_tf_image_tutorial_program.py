"""TensorFlow's "Image classification" tutorial, written for tf.keras, with only the imports changed
(``tf.keras`` → ``convlens``, ``tf.data.AUTOTUNE`` → ``convlens.data.AUTOTUNE``; the two bare TensorFlow calls,
``tf.expand_dims`` and ``tf.nn.softmax``, become NumPy). The flowers folder is a generated one, the images are
32x32 instead of 180x180 and the second model trains 2 epochs instead of 15, to keep the test quick.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import convlens as keras  # noqa: E402  (was: from tensorflow import keras)
from convlens import layers  # noqa: E402
from convlens.data import AUTOTUNE  # noqa: E402
from convlens.models import Sequential  # noqa: E402

from tests.integration.keras_folder import write_image_folder  # noqa: E402


def test_image_classification_tutorial(tmp_path, capsys):
    keras.utils.set_random_seed(0)
    data_dir = write_image_folder(tmp_path / "flower_photos", classes=("daisy", "roses", "tulips"), per_class=20)

    batch_size = 8
    img_height = 32
    img_width = 32
    train_ds = keras.utils.image_dataset_from_directory(
        data_dir, validation_split=0.2, subset="training", seed=123, image_size=(img_height, img_width),
        batch_size=batch_size)
    val_ds = keras.utils.image_dataset_from_directory(
        data_dir, validation_split=0.2, subset="validation", seed=123, image_size=(img_height, img_width),
        batch_size=batch_size)
    class_names = train_ds.class_names
    print(class_names)

    plt.figure(figsize=(10, 10))
    for images, labels in train_ds.take(1):
        for i in range(8):
            ax = plt.subplot(3, 3, i + 1)
            plt.imshow(images[i].numpy().astype("uint8"))
            plt.title(class_names[labels[i]])
            plt.axis("off")
    plt.savefig(tmp_path / "samples.png")

    for image_batch, labels_batch in train_ds:
        print(image_batch.shape)
        print(labels_batch.shape)
        break

    train_ds = train_ds.cache().shuffle(1000).prefetch(buffer_size=AUTOTUNE)
    val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)

    normalization_layer = layers.Rescaling(1. / 255)
    normalized_ds = train_ds.map(lambda x, y: (normalization_layer(x), y))
    image_batch, labels_batch = next(iter(normalized_ds))
    first_image = image_batch[0]
    print(np.min(first_image), np.max(first_image))
    assert 0.0 <= float(np.min(first_image)) and float(np.max(first_image)) <= 1.0

    num_classes = len(class_names)
    model = Sequential([
        layers.Rescaling(1. / 255, input_shape=(img_height, img_width, 3)),
        layers.Conv2D(16, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(128, activation='relu'),
        layers.Dense(num_classes)
    ])
    model.compile(optimizer='adam',
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    model.summary()

    epochs = 4
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=2)
    acc = history.history['accuracy']
    val_acc = history.history['val_accuracy']
    loss = history.history['loss']
    val_loss = history.history['val_loss']
    epochs_range = range(epochs)
    plt.figure(figsize=(8, 8))
    plt.subplot(1, 2, 1)
    plt.plot(epochs_range, acc, label='Training Accuracy')
    plt.plot(epochs_range, val_acc, label='Validation Accuracy')
    plt.legend(loc='lower right')
    plt.subplot(1, 2, 2)
    plt.plot(epochs_range, loss, label='Training Loss')
    plt.plot(epochs_range, val_loss, label='Validation Loss')
    plt.savefig(tmp_path / "history.png")
    assert val_acc[-1] >= 0.75

    data_augmentation = keras.Sequential([
        layers.RandomFlip("horizontal", input_shape=(img_height, img_width, 3)),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1),
    ])
    plt.figure(figsize=(10, 10))
    for images, _ in train_ds.take(1):
        for i in range(9):
            augmented_images = data_augmentation(images)
            ax = plt.subplot(3, 3, i + 1)
            plt.imshow(augmented_images[0].numpy().astype("uint8"))
            plt.axis("off")
    plt.savefig(tmp_path / "augmented.png")

    model = Sequential([
        data_augmentation,
        layers.Rescaling(1. / 255),
        layers.Conv2D(16, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding='same', activation='relu'),
        layers.MaxPooling2D(),
        layers.Dropout(0.2),
        layers.Flatten(),
        layers.Dense(128, activation='relu'),
        layers.Dense(num_classes, name="outputs")
    ])
    model.compile(optimizer='adam',
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    model.summary()
    history = model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=2)
    assert len(history.history["val_accuracy"]) == 2

    sunflower_path = next((data_dir / "tulips").glob("*.jpg"))
    img = keras.utils.load_img(sunflower_path, target_size=(img_height, img_width))
    img_array = keras.utils.img_to_array(img)
    img_array = np.expand_dims(img_array, 0)  # Create a batch (was: tf.expand_dims)
    predictions = model.predict(img_array)
    score = np.exp(predictions[0]) / np.exp(predictions[0]).sum()  # (was: tf.nn.softmax)
    print("This image most likely belongs to {} with a {:.2f} percent confidence."
          .format(class_names[np.argmax(score)], 100 * np.max(score)))
    out = capsys.readouterr().out
    assert "Found 60 files belonging to 3 classes." in out and "[8, 32, 32, 3]" in out
    assert "This image most likely belongs to" in out
