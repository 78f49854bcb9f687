"""NAS algorithms that are not SB3 models (installed as ``nasgym.agents``): black-box agents that propose
architectures and observe results.

``AGENTS`` (a :class:`~nasgym.registry.Registry`) maps the names accepted by ``train.py --algo`` to their classes;
any other agent loads from ``path/to/file.py:Class`` (see :mod:`nasgym.agents.base` for the interface).
"""

from nasgym.agents.base import BlackBoxAgent
from nasgym.agents.evolution import RegularizedEvolution
from nasgym.agents.nsga2 import NSGA2
from nasgym.agents.random_search import RandomSearch
from nasgym.agents.reinforce import Reinforce
from nasgym.agents.successive_halving import SuccessiveHalving
from nasgym.registry import Registry

AGENTS: Registry[type[BlackBoxAgent]] = Registry("agent", sep=" ", problem="is unknown")
for _name, _agent in (("random", RandomSearch), ("evolution", RegularizedEvolution), ("reinforce", Reinforce),
                      ("nsga2", NSGA2), ("successive_halving", SuccessiveHalving)):
    AGENTS.register(_name, _agent)

__all__ = ["AGENTS", "NSGA2", "BlackBoxAgent", "RandomSearch", "RegularizedEvolution", "Reinforce",
           "SuccessiveHalving"]
