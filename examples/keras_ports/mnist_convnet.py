"""Keras's "Simple MNIST convnet" (keras-io, examples/vision/mnist_convnet.py), ported to tinynet.

What changed from the Keras program:

- the import lines: ``import keras`` / ``from keras import layers`` became the two
  ``tinynet`` imports below;
- the data: MNIST is not on this machine offline, so the program reads Fashion-MNIST,
  which has MNIST's shapes and dtypes (Debian's ``dataset-fashion-mnist``:
  ``apt-get install dataset-fashion-mnist``). That is the one line besides the
  imports, marked below.

Everything else — ``keras.Input``, ``Conv2D``, ``MaxPooling2D``, ``Dropout``,
``keras.utils.to_categorical``, ``compile`` with string ids, ``fit`` with
``validation_split``, ``evaluate`` returning ``[loss, accuracy]`` — is the Keras
program's own code. On Fashion-MNIST, 15 epochs reach about 0.91 test accuracy.

Run: ``python examples/keras_ports/mnist_convnet.py``.
"""

import numpy as np

import tinynet as keras  # Keras: import keras
from tinynet import layers  # Keras: from keras import layers

num_classes = 10
input_shape = (28, 28, 1)

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()  # Keras: keras.datasets.mnist

x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)

model.summary()

batch_size = 128
epochs = 15

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)

score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
