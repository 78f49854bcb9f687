import pytest
import torch

import nasgym
from nasgym.quality import SupernetEvaluator, make_evaluator, proxy_architecture, training
from nasgym.quality.data import load_dataset
from nasgym.quality.supernet import Supernet


def test_extracted_network_computes_the_supernet_path(proxy_space, archs):
    torch.manual_seed(0)
    net = Supernet(proxy_space, num_classes=10, in_channels=1).train()
    x = load_dataset("digits").normalize(load_dataset("digits").x_train[:16])
    for arch in archs:
        path = proxy_architecture(arch, (8, 8, 1))
        model = net.extract(path).train()
        torch.manual_seed(1)
        expected = net(x, path)
        torch.manual_seed(1)
        assert torch.allclose(model(x), expected, atol=1e-5)
        assert sum(p.numel() for p in model.parameters()) == nasgym.count(path, num_classes=10).params


def test_kernels_are_centered_slices_and_ops_do_not_share(proxy_space, archs):
    net = Supernet(proxy_space, num_classes=10, in_channels=1)
    bank = net.slots[1].ops["ibn_dw"][1]
    layer = bank.take(8, 1, 3)
    assert layer.weight.data_ptr() == bank.weight[:8, :1, 1:4, 1:4].data_ptr()
    assert net.slots[1].ops["ibn_dw"][1].weight.data_ptr() != net.slots[1].ops["ibn_grouped"][1].weight.data_ptr()
    with pytest.raises(ValueError, match="exceeds the supernet weight"):
        bank.take(8, 1, 7)


def test_checkpoint_is_written_atomically_and_reused(tmp_path, monkeypatch, archs, supernet_spec):
    first = make_evaluator(supernet_spec())
    result = first.evaluate(archs[0], 0)
    assert 0.0 <= result["accuracy"] <= 1.0 and result["eval_seconds"] > 0 and "failed" not in result
    assert first.checkpoint_path.is_file() and first.checkpoint_path.parent == tmp_path
    assert not list(tmp_path.glob(".*.tmp"))
    assert torch.load(first.checkpoint_path, weights_only=True)["step"] == 6
    assert first.warmup_times["cpu_seconds"] > 0 and first.warmup_times["eval_seconds"] > 0
    assert result["cpu_seconds"] > 0

    def no_training(*args, **kwargs):
        raise AssertionError("a checkpointed supernet was trained again")

    monkeypatch.setattr(SupernetEvaluator, "_train", no_training)
    second = make_evaluator(supernet_spec())
    assert second.evaluate(archs[0], 0)["accuracy"] == result["accuracy"]
    assert second.warmup_times == first.warmup_times


def test_interrupted_warm_up_resumes_exactly(tmp_path, monkeypatch, supernet_spec):
    whole_spec, cut_spec = (supernet_spec(cache_dir=str(tmp_path / name)) for name in ("whole", "cut"))
    whole = make_evaluator(whole_spec).warm_up().state_dict()
    real_check = training.check_loss

    def interrupt(value, step, limit):
        if step == 4:
            raise KeyboardInterrupt
        real_check(value, step, limit)

    monkeypatch.setattr(training, "check_loss", interrupt)  # the shared train_step's
    with pytest.raises(KeyboardInterrupt):
        make_evaluator(cut_spec).warm_up()
    monkeypatch.setattr(training, "check_loss", real_check)
    assert torch.load(make_evaluator(cut_spec).checkpoint_path, weights_only=True)["step"] == 3
    resumed = make_evaluator(cut_spec).warm_up().state_dict()
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)


def test_finetune_steps_and_foreign_architecture(archs, supernet_spec):
    evaluator = make_evaluator(supernet_spec(finetune_steps=3))
    assert "failed" not in evaluator.evaluate(archs[1], 2)
    with pytest.raises(ValueError, match="not in space 'proxy'"):
        evaluator.evaluate(nasgym.reference("mobilenet_v2_1.0"), 0)


def test_default_cache_dir_follows_nasgym_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path))
    evaluator = make_evaluator({"kind": "supernet"})
    assert evaluator.checkpoint_path == tmp_path / f"supernet-{evaluator.fingerprint}.pt"
