"""Test-wide settings: one torch thread for determinism and to share the 2 CI cores fairly."""

import torch

torch.set_num_threads(1)
