"""Keras 2-era programs (the classic keras/examples style), written for Keras 2, imports changed to convlens.

``keras.datasets.mnist`` becomes the offline 5,000-digit sample (``convlens.datasets.mnist_sample``) and the
epochs/sample counts are cut to keep the test quick; everything else is as a Keras 2 user wrote it, including
``K.image_data_format()``, ``SGD(lr=…, decay=…)`` and ``metrics=['acc']`` read back as ``history.history['acc']``.
"""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import convlens as keras  # noqa: E402  (was: import keras)
from convlens import backend as K  # noqa: E402
from convlens.datasets import mnist_sample as mnist  # noqa: E402  (was: from keras.datasets import mnist)
from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D  # noqa: E402
from convlens.models import Sequential  # noqa: E402
from convlens.optimizers import SGD  # noqa: E402


def test_keras2_mnist_cnn_program(tmp_path, capsys):
    keras.utils.set_random_seed(0)
    batch_size = 64
    num_classes = 10
    epochs = 3
    img_rows, img_cols = 28, 28

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, y_train, x_test, y_test = x_train[:1500], y_train[:1500], x_test[:500], y_test[:500]
    if K.image_data_format() == 'channels_first':
        x_train = x_train.reshape(x_train.shape[0], 1, img_rows, img_cols)
        x_test = x_test.reshape(x_test.shape[0], 1, img_rows, img_cols)
        input_shape = (1, img_rows, img_cols)
    else:
        x_train = x_train.reshape(x_train.shape[0], img_rows, img_cols, 1)
        x_test = x_test.reshape(x_test.shape[0], img_rows, img_cols, 1)
        input_shape = (img_rows, img_cols, 1)
    x_train = x_train.astype('float32')
    x_test = x_test.astype('float32')
    x_train /= 255
    x_test /= 255
    print('x_train shape:', x_train.shape)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Conv2D(8, kernel_size=(3, 3), activation='relu', input_shape=input_shape))
    model.add(Conv2D(16, (3, 3), activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes, activation='softmax'))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sgd = SGD(lr=0.05, decay=1e-4, momentum=0.9, nesterov=True)
    assert {str(w.category.__name__) for w in caught} == {"DeprecationWarning"}
    model.compile(loss=keras.losses.categorical_crossentropy, optimizer=sgd, metrics=['acc'])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=1,
                        validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print('Test loss:', score[0])
    print('Test accuracy:', score[1])

    plt.plot(history.history['acc'])
    plt.plot(history.history['val_acc'])
    plt.title('model accuracy')
    plt.ylabel('accuracy')
    plt.xlabel('epoch')
    plt.legend(['train', 'test'], loc='upper left')
    plt.savefig(tmp_path / "accuracy.png")

    assert score[1] > 0.8
    assert sgd.iterations == epochs * 24
    assert sgd.current_learning_rate() < 0.05  # Keras 2's time decay lowered it
    assert "x_train shape: (1500, 28, 28, 1)" in capsys.readouterr().out
    K.clear_session()

