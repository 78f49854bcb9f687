"""Environment definitions shipped with nasgym (YAML files, see :mod:`nasgym.envs_config`).

This folder is the repository's ``envs/``; a wheel installs it as the package ``nasgym.envs``. Each ``*.yaml``
file here is registered as Gymnasium ids by ``import nasgym``; ``hyperparams/`` holds algorithm settings that
``train.py demo`` uses.
"""
