"""Crash-safe checkpoints of a stable-baselines3 run, restored so that the run continues exactly.

A checkpoint is taken at the start of an iteration of the algorithm's learn loop (before ``collect_rollouts``; for
ARS before ``_do_one_update``), after at least ``every`` new evaluations. At that point everything that decides the
rest of the run is either saved by SB3 or captured here:

- the model with its optimizer state, ``num_timesteps``, ``_last_obs``, counters and schedules (``model.save``);
  the replay buffer of off-policy algorithms (``save_replay_buffer``);
- the random states: torch, numpy and Python global generators and the model's action-space generator (SB3's
  ``load`` reseeds all of them with the run's seed, which is why a plainly reloaded model repeats itself);
- each sub-environment's actions since its episode began (replayed after a reset to rebuild the half-built
  architecture; only the last step of an episode evaluates, so this costs nothing);
- the number of evaluations logged so far and the hash of the last one.

Files: ``checkpoints/<n>/`` holds the model (and buffer); ``checkpoint.json`` (written last, temp file + rename)
names the directory and holds the rest, so a kill at any moment leaves either the previous checkpoint or the new
one, never a mix. Older directories are deleted after the switch.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nasgym.files import atomic_path

POINTER = "checkpoint.json"
DIRECTORY = "checkpoints"
VERSION = 1
HOOKS = ("collect_rollouts", "_do_one_update")  # instance attributes added by Checkpointer.install, never saved


@dataclass
class CheckpointState:
    """What ``checkpoint.json`` holds besides the model files."""

    version: int
    directory: str
    evaluations: int
    last_arch_hash: str | None
    num_timesteps: int
    rng: dict
    episodes: list[list[dict]]
    replay_buffer: bool


def capture_rng(model: Any) -> dict:
    """The global torch / numpy / Python random states and the model's action-space generator, as JSON data."""
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {
        "torch": base64.b64encode(torch.get_rng_state().numpy().tobytes()).decode(),
        "numpy": [name, keys.tolist(), int(pos), int(has_gauss), float(gauss)],
        "python": [version, list(internal), gauss_next],
        "action_space": model.action_space.np_random.bit_generator.state,
    }


def restore_rng(model: Any, state: dict) -> None:
    """Inverse of :func:`capture_rng`."""
    torch.set_rng_state(torch.frombuffer(bytearray(base64.b64decode(state["torch"])), dtype=torch.uint8))
    name, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss))
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))
    model.action_space.np_random.bit_generator.state = state["action_space"]


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


class Checkpointer:
    """Saves and restores checkpoints of one run folder (see the module docstring).

    Args:
        logdir: The run folder.
        every: Take a checkpoint at the first safe point after this many new evaluations.
        logger: The run's :class:`~nasgym.search.recorder.SearchLogger` (evaluation count and last hash).
        venv: The vectorized env; its sub-envs are :class:`~nasgym.search.sb3.EpisodeRecorder` wrapped.
    """

    def __init__(self, logdir: Path, every: int, logger: Any, venv: Any) -> None:
        if every < 1:
            raise ValueError(f"checkpoint every={every} is invalid: expected a positive number of evaluations")
        self.logdir, self.every, self.logger, self.venv = Path(logdir), every, logger, venv
        self._saved_at: int | None = None
        self.saved = 0  # checkpoints written by this process
        self.problem = ""  # why load_state found no usable checkpoint

    # ------------------------------------------------------------------ saving
    def install(self, model: Any) -> None:
        """Make ``model`` call :meth:`maybe_save` at the start of every learn-loop iteration."""
        name = "_do_one_update" if hasattr(model, "_do_one_update") else "collect_rollouts"
        original = getattr(model, name)

        def hooked(*args: Any, **kwargs: Any) -> Any:
            self.maybe_save(model)
            return original(*args, **kwargs)

        setattr(model, name, hooked)

    def maybe_save(self, model: Any) -> None:
        """Save if ``every`` evaluations were logged since the last checkpoint (or since this process started)."""
        n = self.logger.n_evaluations
        if self._saved_at is None:
            self._saved_at = n  # the state we started from is already on disk (or is the seed's initial state)
        if n - self._saved_at >= self.every:
            self.save(model)

    def save(self, model: Any) -> None:
        """Write a checkpoint of ``model`` now (the caller guarantees a safe point)."""
        n = self.logger.n_evaluations
        root = self.logdir / DIRECTORY
        name = f"{n:06d}-{model.num_timesteps}-{os.getpid()}"
        folder = root / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        model.save(folder / "model.zip", exclude=list(HOOKS))
        _fsync(folder / "model.zip")
        buffer = getattr(model, "replay_buffer", None) is not None and hasattr(model, "save_replay_buffer")
        if buffer:
            model.save_replay_buffer(folder / "replay_buffer.pkl")
            _fsync(folder / "replay_buffer.pkl")
        state = CheckpointState(
            version=VERSION, directory=name, evaluations=n,
            last_arch_hash=self.logger.rows[n - 1]["arch_hash"] if n else None,
            num_timesteps=int(model.num_timesteps), rng=capture_rng(model),
            episodes=self.venv.env_method("episode_actions"), replay_buffer=buffer,
        )
        pointer = self.logdir / POINTER
        with atomic_path(pointer) as tmp, open(tmp, "w") as f:
            json.dump(asdict(state), f)
            f.flush()
            os.fsync(f.fileno())
        self.remove_stale(keep=name)
        self._saved_at = n
        self.saved += 1

    def remove_stale(self, keep: str | None) -> None:
        """Delete checkpoint directories other than ``keep`` (left by a switch that a kill interrupted)."""
        root = self.logdir / DIRECTORY
        if root.is_dir():
            for folder in root.iterdir():
                if folder.name != keep:
                    shutil.rmtree(folder, ignore_errors=True)

    # ----------------------------------------------------------------- loading
    def load_state(self) -> CheckpointState | None:
        """The current checkpoint if it is complete and consistent with the evaluation log, else ``None`` (with the
        reason in :attr:`problem`)."""
        self.problem = ""
        pointer = self.logdir / POINTER
        if not pointer.exists():
            self.remove_stale(keep=None)
            return None
        try:
            state = CheckpointState(**json.loads(pointer.read_text()))
        except (json.JSONDecodeError, TypeError, UnicodeDecodeError) as err:
            self.problem = f"{pointer} is unreadable ({err})"
            return None
        self.remove_stale(keep=state.directory)
        rows = self.logger.rows
        if state.version != VERSION:
            self.problem = f"{pointer} has version {state.version}, expected {VERSION}"
        elif state.evaluations > len(rows):
            self.problem = f"{pointer} is at evaluation {state.evaluations} but the log has {len(rows)} rows"
        elif state.evaluations and rows[state.evaluations - 1]["arch_hash"] != state.last_arch_hash:
            self.problem = f"{pointer} does not match evaluations.csv at evaluation {state.evaluations}"
        elif not (self.logdir / DIRECTORY / state.directory / "model.zip").is_file():
            self.problem = f"{pointer} names a missing model ({DIRECTORY}/{state.directory}/model.zip)"
        return None if self.problem else state

    def restore(self, algo_cls: type, state: CheckpointState, device: str = "cpu") -> Any:
        """The model of ``state`` on :attr:`venv`, with its random states and sub-env episodes restored.

        Raises:
            ValueError: If the restored environments do not reproduce the saved observation.
        """
        folder = self.logdir / DIRECTORY / state.directory
        model = algo_cls.load(folder / "model.zip", env=self.venv, device=device, force_reset=False)
        if state.replay_buffer:
            model.load_replay_buffer(folder / "replay_buffer.pkl")
        self.venv.reset()
        for i, actions in enumerate(state.episodes):
            obs = self.venv.env_method("replay", actions, indices=[i])[0]
            last = getattr(model, "_last_obs", None)
            if isinstance(last, np.ndarray) and not np.array_equal(np.asarray(obs), last[i]):
                raise ValueError(f"sub-env {i} does not reproduce the saved observation after {len(actions)} steps")
        restore_rng(model, state.rng)
        self._saved_at = state.evaluations
        return model
