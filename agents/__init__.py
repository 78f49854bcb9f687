"""NAS algorithms that are not SB3 models: black-box agents that propose architectures and observe results.

``AGENTS`` maps the names accepted by ``train.py --algo`` to their classes; any other agent loads from
``path/to/file.py:Class`` (see :mod:`agents.base` for the interface).
"""

from agents.base import BlackBoxAgent
from agents.evolution import RegularizedEvolution
from agents.nsga2 import NSGA2
from agents.random_search import RandomSearch
from agents.reinforce import Reinforce

AGENTS: dict[str, type[BlackBoxAgent]] = {
    "random": RandomSearch,
    "evolution": RegularizedEvolution,
    "reinforce": Reinforce,
    "nsga2": NSGA2,
}

__all__ = ["AGENTS", "NSGA2", "BlackBoxAgent", "RandomSearch", "RegularizedEvolution", "Reinforce"]
