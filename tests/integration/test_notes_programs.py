"""The notes' data programs, written as in the notes with convlens imports, run to the end."""
import numpy as np
import pytest
from PIL import Image

from convlens.callbacks import ModelCheckpoint
from convlens.layers import Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from convlens.models import Sequential
from convlens.preprocessing.image import ImageDataGenerator
from convlens.utils import set_random_seed, to_categorical


def cifar_model():
    model = Sequential()
    model.add(Convolution2D(filters=16, kernel_size=2, padding='same', activation='relu', input_shape=(32, 32, 3)))
    model.add(MaxPooling2D(pool_size=2))
    model.add(Convolution2D(filters=32, kernel_size=2, padding='same', activation='relu'))
    model.add(MaxPooling2D(pool_size=2))
    model.add(Convolution2D(filters=64, kernel_size=2, padding='same', activation='relu'))
    model.add(MaxPooling2D(pool_size=2))
    model.add(Dropout(0.3))
    model.add(Flatten())
    model.add(Dense(500, activation='relu'))
    model.add(Dropout(0.4))
    model.add(Dense(10, activation='softmax'))
    return model


def test_notes_cifar10_augmentation_program(tmp_path):
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (96, 32, 32, 3), dtype=np.uint8).astype("float32") / 255
    y_train = to_categorical(rng.integers(0, 10, 96), 10)
    x_valid, y_valid = x_train[:32], y_train[:32]
    x_test = rng.integers(0, 256, (32, 32, 32, 3), dtype=np.uint8).astype("float32") / 255
    y_test = to_categorical(rng.integers(0, 10, 32), 10)

    datagen = ImageDataGenerator(width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True,
                                 rotation_range=15, featurewise_center=True, featurewise_std_normalization=True)
    datagen.fit(x_train)
    x_test = datagen.standardize(x_test.copy())
    x_valid = datagen.standardize(x_valid.copy())
    for x_batch in datagen.flow(x_train[:12], batch_size=12):
        assert x_batch.shape == (12, 32, 32, 3)
        break

    model = cifar_model()
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    checkpointer = ModelCheckpoint(filepath=str(tmp_path / 'aug_model.weights.best.hdf5'), verbose=1,
                                   save_best_only=True)
    batch_size = 32
    history = model.fit(datagen.flow(x_train, y_train, batch_size=batch_size),
                        steps_per_epoch=x_train.shape[0] // batch_size, epochs=2, verbose=2,
                        callbacks=[checkpointer], validation_data=(x_valid, y_valid))
    assert len(history.history["val_loss"]) == 2
    model.load_weights(str(tmp_path / 'aug_model.weights.best.hdf5'))
    score = model.evaluate(x_test, y_test, verbose=0)
    assert 0.0 <= score[1] <= 1.0 and np.isfinite(score[0])


def write_own_data(root, classes=("cats", "dogs", "birds"), per_class=12):
    rng = np.random.default_rng(0)
    for index, name in enumerate(classes):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 60, (20, 20, 3), dtype=np.uint8)
            pixels[:, :, index] += 180  # the class is the dominant colour
            Image.fromarray(pixels).save(folder / f"{i}.png" if i % 2 else folder / f"{i}.jpg")
    (root / "cats" / "empty.jpg").write_bytes(b"")
    (root / "dogs" / "notes.txt").write_text("not an image")
    good = (root / "birds" / "0.jpg").read_bytes()
    (root / "birds" / "truncated.jpg").write_bytes(good[: len(good) // 3])
    (root / "birds" / "fake.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / ".ipynb_checkpoints").mkdir()


def test_notes_train_your_own_data(tmp_path, recwarn):
    write_own_data(tmp_path / "dataset" / "training_set")
    write_own_data(tmp_path / "dataset" / "test_set", per_class=4)
    set_random_seed(0)
    train_datagen = ImageDataGenerator(rescale=1. / 255, shear_range=0.2, zoom_range=0.2, horizontal_flip=True)
    test_datagen = ImageDataGenerator(rescale=1. / 255)
    training_set = train_datagen.flow_from_directory(str(tmp_path / 'dataset/training_set'), target_size=(64, 64),
                                                     batch_size=10, class_mode='categorical')
    test_set = test_datagen.flow_from_directory(str(tmp_path / 'dataset/test_set'), target_size=(64, 64),
                                                batch_size=10, class_mode='categorical')
    assert training_set.class_indices == {"birds": 0, "cats": 1, "dogs": 2}
    assert training_set.samples == 36
    reported = " ".join(str(e) for e in training_set.errors)
    for bad in ("empty.jpg", "truncated.jpg", "fake.png"):
        assert bad in reported

    classifier = Sequential([
        Convolution2D(8, (3, 3), activation='relu', input_shape=(64, 64, 3)), MaxPooling2D(pool_size=(2, 2)),
        Flatten(), Dense(16, activation='relu'), Dense(3, activation='softmax')])
    classifier.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        history = classifier.fit_generator(training_set, samples_per_epoch=36, nb_epoch=3, validation_data=test_set,
                                           nb_val_samples=12, verbose=0)
    assert len(history.history["val_accuracy"]) == 3
    assert classifier.class_names == ["birds", "cats", "dogs"]
    classifier.save(tmp_path / "own.convlens")
    from convlens.models import load_model
    assert load_model(tmp_path / "own.convlens").class_names == ["birds", "cats", "dogs"]
