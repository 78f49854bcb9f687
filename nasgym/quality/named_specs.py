"""Named evaluator specs: ``make_evaluator("default")``, ``"reference"``, ``"fullsize"``.

- ``default``: the quality proxy of the small ``proxy`` space, chosen by ``benchmarks/proxy_study.py`` on its
  sample C (30 architectures) as the configuration with the best Kendall tau against ``reference`` within 10 CPU s
  and 1/10 of the reference's cost: one training of 100 x 64 images on the 56x56 canvas task at learning rate 0.01,
  scored on 5,000 validation images (~5.4 CPU s), its accuracy calibrated by the network's size to a predicted
  reference accuracy (:mod:`nasgym.quality.calibration`: a short training under-rates large networks; the weights
  are the least-squares fit on sample C). Tau against the reference: 0.73 on C (leave-one-out; uncalibrated 0.55,
  #params 0.51, MACs 0.57); 0.60 on the fresh sample D (#params 0.52, MACs 0.47), ``benchmarks/RESULTS.md``
  ("Proxy-configuration study"). Until 2026-12-01 it was the uncalibrated 28x28 training with 2 repeats
  (``{"kind": "train"}``, fingerprint train-v1-2dd73bc190). Its size terms are fitted on the ``proxy`` space:
  other spaces get ``fullsize`` or an uncalibrated ``train`` spec.
- ``reference``: the long, multi-seed training every proxy is judged against (its rows are committed in
  ``benchmarks/data/proxy_study.csv``): 12 trainings of 1000 x 64 images each (~1.3 epochs, 10x the default's
  images per training) on the 56x56 canvas task, averaged (~8 CPU-minutes per `proxy` architecture). 12 because
  random members of the `proxy` space differ by about twice the seed noise of one training ("Space pilot" in
  ``benchmarks/RESULTS.md``), so 6 + 6 trainings are what a split-half Kendall tau of 0.8 takes (until
  2026-12-01 it was 3 trainings, on the narrower version 1 of the space).
- ``fullsize``: the quality of full-size networks (the ``edgetpu-v2`` / ``ibn-dw-only`` spaces, 3-11 M
  parameters): the network at a quarter of its width (group sizes scaled along) trained as long as the reference
  (1000 x 64 images on the canvas task), 2 trainings averaged. A short training of the full-width network favours
  the small ones (it under-trains the large); at a quarter width every network trains to a comparable degree and
  the capacity differences remain (the larger net is larger at any width). ``benchmarks/fullsize_quality.py``
  measures it against published ImageNet top-1 (``benchmarks/RESULTS.md``, "Full-size networks").

A name is accepted wherever a spec dict is: ``"default"``, or ``{"kind": "default", **overrides}`` (e.g.
``{"kind": "default", "dataset": "digits"}``), which expands to the named spec updated with the overrides.
"""

from __future__ import annotations

CANVAS_TASK = {"dataset": "fashion_mnist", "canvas": 56, "canvas_scale": [1.0, 2.0]}

NAMED_SPECS: dict[str, dict] = {
    # the choice of benchmarks/proxy_study.py on sample C (tests/quality/test_default_choice.py checks it)
    "default": {"kind": "train", **CANVAS_TASK, "steps": 100, "repeats": 1, "val_images": 5000, "lr": 0.01,
                "calibration": {"intercept": 0.505232, "score": 0.125447, "log_macs": 0.008666,
                                "log_params": 0.008056}},
    "reference": {"kind": "train", **CANVAS_TASK, "steps": 1000, "repeats": 12},
    "fullsize": {"kind": "train", **CANVAS_TASK, "width_multiplier": 0.25, "steps": 1000, "repeats": 2,
                 "val_images": 5000},
}


def resolve_spec(spec: str | dict) -> dict:
    """A plain evaluator spec dict: a name or a ``{"kind": NAME, ...}`` dict expanded, any other dict as given.

    Raises:
        ValueError: On an unknown name.
    """
    if isinstance(spec, str):
        if spec not in NAMED_SPECS:
            raise ValueError(f"evaluator spec={spec!r} is invalid: expected a dict with a 'kind' key or one of the "
                             f"named specs {', '.join(NAMED_SPECS)}")
        return dict(NAMED_SPECS[spec])
    if isinstance(spec, dict) and spec.get("kind") in NAMED_SPECS:
        overrides = {k: v for k, v in spec.items() if k != "kind"}
        return {**NAMED_SPECS[spec["kind"]], **overrides}
    return spec
