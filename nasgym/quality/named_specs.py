"""Named evaluator specs: ``make_evaluator("default")``, ``"reference"``, ``"fullsize"``.

- ``default``: the quality proxy of the small ``proxy`` space: today the 28x28 ``train`` evaluator (100 steps x 2);
  ``benchmarks/proxy_study.py`` measures the candidates to replace it by their rank fidelity against ``reference``
  per CPU-second (``benchmarks/RESULTS.md``, "Proxy-configuration study").
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
    "default": {"kind": "train"},
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
