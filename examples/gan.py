"""A GAN: two models and one custom ``train_step``, trained by ``fit`` like any model.

The generator turns noise into points; the discriminator tells real points
from generated ones. ``GAN.train_step`` is written with public calls only —
``forward``, ``backward``, ``self.loss.forward`` / ``backward``,
``optimizer.step(trainable_parameters())``, ``tn.metrics.Mean`` — and ``fit``
keeps doing the rest: batches, shuffling, callbacks, the progress bar,
``History``. Here it learns a ring of radius 2 around (1, -1).

python examples/gan.py
"""

from __future__ import annotations

import numpy as np

import tinynet as tn

CENTRE, RADIUS = np.array([1.0, -1.0]), 2.0


def ring(n: int, seed: int = 0) -> np.ndarray:
    """``n`` points on the circle of ``RADIUS`` around ``CENTRE``, with a little noise: the real data."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    radius = RADIUS + 0.05 * rng.standard_normal(n)
    return (CENTRE + radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)).astype(np.float32)


class GAN(tn.Model):
    """A generator and a discriminator trained against each other, one batch of real points at a time.

    ``fit(x)`` gives each step a batch of real points (there is no ``y``);
    ``self.optimizer`` trains the discriminator, ``g_optimizer`` the generator,
    and ``self.loss`` (binary cross-entropy on logits) scores both.
    """

    def __init__(self, generator: tn.Model, discriminator: tn.Model, latent_dim: int, seed: int = 0) -> None:
        super().__init__(name="gan")
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self._noise = np.random.default_rng(seed)
        self.d_loss_tracker = tn.metrics.Mean(name="d_loss")
        self.g_loss_tracker = tn.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer) -> None:  # type: ignore[override]
        super().compile(optimizer=d_optimizer, loss=tn.losses.BinaryCrossentropy(from_logits=True))
        self.g_optimizer = g_optimizer

    def build(self, input_shape):
        self.discriminator.ensure_built(input_shape)
        self.generator.ensure_built((self.latent_dim,))

    def forward(self, z, training=False):  # the model's output is the generator's: predict(noise) samples
        return self.generator.forward(z, training)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def sample(self, n: int) -> np.ndarray:
        return self.generator.predict(self.noise(n), batch_size=n)

    def noise(self, n: int) -> np.ndarray:
        return self._noise.standard_normal((n, self.latent_dim)).astype(np.float32)

    def train_step(self, real):
        n = len(real)
        # 1. The discriminator learns to say 1 for real points and 0 for generated ones.
        fake = self.generator.forward(self.noise(n), training=True)
        logits = self.discriminator.forward(np.concatenate([real, fake]), training=True)
        labels = np.concatenate([np.ones((n, 1)), np.zeros((n, 1))]).astype(np.float32)
        d_loss = self.loss.forward(labels, logits)
        self.discriminator.backward(self.loss.backward())
        self.optimizer.step(self.discriminator.trainable_parameters())
        # 2. The generator learns to make the discriminator say 1: the gradient flows through the
        #    discriminator (whose own gradients are set but not applied) into the generator.
        fake = self.generator.forward(self.noise(n), training=True)
        g_loss = self.loss.forward(np.ones((n, 1), np.float32), self.discriminator.forward(fake, training=True))
        dfake = self.discriminator.backward(self.loss.backward())
        self.generator.backward(dfake)
        self.g_optimizer.step(self.generator.trainable_parameters())
        self.d_loss_tracker.update_state(d_loss, sample_weight=2 * n)
        self.g_loss_tracker.update_state(g_loss, sample_weight=n)
        return {m.name: m.result() for m in self.metrics}


def train(epochs: int = 60, n: int = 2048, seed: int = 0, verbose: int = 0) -> dict:
    tn.utils.set_random_seed(seed)
    Dense = tn.layers.Dense
    generator = tn.Sequential([Dense(32, activation="relu"), Dense(32, activation="relu"), Dense(2)], name="generator")
    discriminator = tn.Sequential(
        [Dense(32, activation="relu"), Dense(32, activation="relu"), Dense(1)], name="discriminator"
    )
    gan = GAN(generator, discriminator, latent_dim=4, seed=seed)
    gan.compile(
        d_optimizer=tn.optimizers.Adam(learning_rate=1e-3, beta_1=0.5),
        g_optimizer=tn.optimizers.Adam(learning_rate=1e-3, beta_1=0.5),
    )
    history = gan.fit(ring(n, seed), batch_size=64, epochs=epochs, verbose=verbose)
    points = gan.sample(2000)
    offset = points - CENTRE
    distance = np.linalg.norm(offset, axis=1)
    octant = ((np.arctan2(offset[:, 1], offset[:, 0]) + np.pi) // (np.pi / 4)).astype(int) % 8
    return {
        "octants_covered": int((np.bincount(octant, minlength=8) >= 0.05 * len(points)).sum()),
        "history": history.history,
        "mean_radius": float(distance.mean()),
        "radius_spread": float(distance.std()),
        "centre": points.mean(axis=0),
        "generator": generator,
    }


if __name__ == "__main__":
    result = train(verbose=2)
    print(
        f"generated points: mean distance from the centre {result['mean_radius']:.2f} (real: {RADIUS}), "
        f"spread {result['radius_spread']:.2f}, centre {np.round(result['centre'], 2)} (real: {CENTRE}), "
        f"{result['octants_covered']} of 8 octants of the ring covered"
    )
