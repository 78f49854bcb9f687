"""NAS algorithms that are not SB3 models (installed as ``nasgym.agents``): black-box agents that propose
architectures and observe results.

``AGENTS`` maps the names accepted by ``train.py --algo`` to their classes; any other agent loads from
``path/to/file.py:Class`` (see :mod:`nasgym.agents.base` for the interface).
"""

from nasgym.agents.base import BlackBoxAgent
from nasgym.agents.evolution import RegularizedEvolution
from nasgym.agents.nsga2 import NSGA2
from nasgym.agents.random_search import RandomSearch
from nasgym.agents.reinforce import Reinforce

AGENTS: dict[str, type[BlackBoxAgent]] = {
    "random": RandomSearch,
    "evolution": RegularizedEvolution,
    "reinforce": Reinforce,
    "nsga2": NSGA2,
}

__all__ = ["AGENTS", "NSGA2", "BlackBoxAgent", "RandomSearch", "RegularizedEvolution", "Reinforce"]
