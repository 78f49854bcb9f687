"""From a search to a deployable network: final training, policy rollout, ONNX and int8 TFLite export.

- :mod:`nasgym.deploy.source`: what a SOURCE argument names (run folder, finalized folder, architecture) and the
  task data its quality was measured on;
- :mod:`nasgym.deploy.network`: the network that is trained and exported, and its files;
- :mod:`nasgym.deploy.augment`: data augmentation for final training;
- :mod:`nasgym.deploy.finalize`: final training (``train.py finalize``);
- :mod:`nasgym.deploy.rollout`: rolling out a trained policy (``train.py sample``);
- :mod:`nasgym.deploy.export`: ONNX export and the latency consistency check (``train.py export``);
- :mod:`nasgym.deploy.tflite`: int8 TFLite for the Edge TPU (optional extra ``nasgym[tflite]``).

Submodules import torch; import them directly (``from nasgym.deploy.export import export``).
"""
