"""TensorFlow's tutorial "Basic classification: Classify images of clothing", ported to tinynet.

The tutorial's code (tensorflow.org/tutorials/keras/classification), without its
plots: what changed is the import lines alone. ``import tensorflow as tf`` became
the two lines below, which make ``tf.keras`` mean tinynet, so that every
``tf.keras.…`` in the program — ``datasets.fashion_mnist``, ``Sequential``,
``layers.Flatten(input_shape=…)``, ``losses.SparseCategoricalCrossentropy(from_logits=True)``,
``layers.Softmax`` stacked on the trained model — is tinynet's.

It needs Debian's ``dataset-fashion-mnist`` (``apt-get install dataset-fashion-mnist``).
10 epochs reach about 0.88 test accuracy, as in the tutorial.

Run: ``python examples/keras_ports/basic_classification.py``.
"""

from types import SimpleNamespace

import numpy as np

import tinynet  # TensorFlow: import tensorflow as tf

tf = SimpleNamespace(keras=tinynet)  # (the same line, continued)

fashion_mnist = tf.keras.datasets.fashion_mnist

(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()

class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

print(train_images.shape, len(train_labels), test_images.shape, len(test_labels))

train_images = train_images / 255.0

test_images = test_images / 255.0

model = tf.keras.Sequential(
    [
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(10),
    ]
)

model.compile(
    optimizer="adam",
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)

model.fit(train_images, train_labels, epochs=10)

test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)

print("\nTest accuracy:", test_acc)

probability_model = tf.keras.Sequential([model, tf.keras.layers.Softmax()])

predictions = probability_model.predict(test_images)

print(predictions[0])
print(np.argmax(predictions[0]), test_labels[0], class_names[int(np.argmax(predictions[0]))])
