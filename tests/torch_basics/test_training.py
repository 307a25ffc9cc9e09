"""The training loop and the worked examples: data dtypes, determinism, zero_grad, train
and eval mode, devices, and the stated accuracies."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from zero_to_hero.torch_basics import training
from zero_to_hero.torch_basics.examples import (
    BINARY_GOAL,
    MULTICLASS_GOAL,
    fit_line,
    spirals,
    train_binary,
    train_multiclass,
    two_moons,
)
from zero_to_hero.torch_basics.training import (
    MLP,
    accuracy,
    evaluate,
    fit,
    make_loader,
    pick_device,
    predict,
    seed_everything,
    sgd_step,
)


def test_examples_reach_their_stated_accuracy(device):
    binary = train_binary(device=device)
    assert binary.test_accuracy >= BINARY_GOAL
    multiclass = train_multiclass(device=device)
    assert multiclass.test_accuracy >= MULTICLASS_GOAL
    assert next(multiclass.model.parameters()).device.type == device.type


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    a, b = train_binary(seed=3, epochs=4), train_binary(seed=3, epochs=4)
    assert a.history == b.history
    assert all(
        torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters())
    )
    c = train_binary(seed=4, epochs=4)
    assert c.history != a.history


def test_data_helpers_return_float32_features_and_the_labels_each_loss_wants():
    X, y = two_moons(50, seed=1)
    assert X.dtype == torch.float32 and X.shape == (50, 2)
    assert (
        y.dtype == torch.float32 and y.shape == (50,) and set(y.tolist()) == {0.0, 1.0}
    )
    X, y = spirals(20, n_classes=4, seed=1)
    assert X.dtype == torch.float32 and X.shape == (80, 2)
    assert y.dtype == torch.int64 and torch.bincount(y).tolist() == [20, 20, 20, 20]
    torch.testing.assert_close(spirals(20, seed=5)[0], spirals(20, seed=5)[0])
    with pytest.raises(ValueError, match="n_classes >= 2"):
        spirals(10, n_classes=1)


def test_a_numpy_built_batch_feeds_the_model_once_converted_where_it_enters():
    features = np.random.default_rng(0).normal(size=(8, 2))  # float64
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])  # int64
    X, y = torch.tensor(features, dtype=torch.float32), torch.from_numpy(labels)
    model = MLP(2, [4], 3)
    loss = nn.CrossEntropyLoss()(model(X), y)  # no further casts anywhere
    assert loss.dtype == torch.float32


def test_mlp_output_shapes_match_their_losses():
    x = torch.randn(5, 2)
    assert MLP(2, [4], 1)(x).shape == (5,)
    assert MLP(2, [4, 4], 3)(x).shape == (5, 3)
    names = [name for name, _ in MLP(2, [4, 4], 3).named_parameters()]
    assert names == [f"layers.{i}.{w}" for i in (0, 3, 6) for w in ("weight", "bias")]


def test_predict_and_accuracy_for_both_conventions():
    assert predict(torch.tensor([-1.0, 0.5, 2.0])).tolist() == [0, 1, 1]
    assert predict(torch.tensor([[0.1, 0.9], [2.0, -1.0]])).tolist() == [1, 0]
    assert accuracy(torch.tensor([-1.0, 0.5]), torch.tensor([0.0, 0.0])) == 0.5
    assert accuracy(torch.tensor([[0.1, 0.9, 0.0]]), torch.tensor([1])) == 1.0


def test_gradients_accumulate_until_zeroed():
    w = torch.tensor([2.0, -3.0], requires_grad=True)
    (w**2).sum().backward()
    once = w.grad.clone()
    (w**2).sum().backward()  # a second, fresh graph: its gradient is added
    torch.testing.assert_close(w.grad, 2 * once)
    w.grad = None  # what optimizer.zero_grad() does
    (w**2).sum().backward()
    torch.testing.assert_close(w.grad, once)


def test_forgetting_zero_grad_ends_with_a_much_higher_loss():
    with_zero = fit_line(zero_grad=True)
    without = fit_line(zero_grad=False)
    assert with_zero[-1] < 0.02  # the noise floor is 0.1² = 0.01
    assert without[-1] > 10 * with_zero[-1]


def test_sgd_step_by_hand_equals_torch_sgd():
    torch.manual_seed(0)
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    x, y = torch.randn(5, 3), torch.randn(5, 2)
    nn.functional.mse_loss(a(x), y).backward()
    sgd_step(list(a.parameters()), lr=0.1)
    optimizer = torch.optim.SGD(b.parameters(), lr=0.1)
    nn.functional.mse_loss(b(x), y).backward()
    optimizer.step()
    for p, q in zip(a.parameters(), b.parameters()):
        # torch fuses the multiply and the add (p.add_(grad, alpha=-lr)): same to the
        # last bit or one rounding apart
        torch.testing.assert_close(p, q, rtol=1e-7, atol=1e-9)
        assert p.grad is None and p.is_leaf


def test_evaluation_turns_dropout_off_and_restores_the_mode():
    torch.manual_seed(0)
    model = MLP(2, [64], 3, dropout=0.5)
    X, y = spirals(30, seed=0)
    assert model.training
    first = evaluate(model, X, y, torch.device("cpu"))
    assert model.training  # restored
    assert evaluate(model, X, y, torch.device("cpu")) == first  # deterministic
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(X), model(X))
    model.train()
    with torch.no_grad():
        assert not torch.equal(model(X), model(X))  # dropout draws new masks each call
    model.eval()
    evaluate(model, X, y, torch.device("cpu"))
    assert not model.training


def test_loader_shuffles_reproducibly_with_its_own_generator():
    X, y = torch.arange(10.0).unsqueeze(1), torch.arange(10)
    orders = []
    for _ in range(2):
        gen = seed_everything(7)
        torch.rand(3)  # other random draws do not change the order
        orders.append([b[1].tolist() for b in make_loader(X, y, 4, generator=gen)])
    assert orders[0] == orders[1] and len(orders[0]) == 3
    assert sorted(i for batch in orders[0] for i in batch) == list(range(10))
    with pytest.raises(ValueError, match="10 and 9"):
        make_loader(X, y[:9], 4)


def test_pick_device_prefers_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device() == torch.device("cuda")


def test_fit_explains_a_bad_batch_before_the_first_step():
    X, y = spirals(20, seed=0)
    model = MLP(2, [8], 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"target-dtype.*int64"):
        fit(model, (X, y.float()), (X, y), nn.CrossEntropyLoss(), optimizer, 1, 8,
            torch.Generator(), torch.device("cpu"))  # fmt: skip
    sigmoid_model = nn.Sequential(nn.Linear(2, 1), nn.Flatten(0), nn.Sigmoid())
    Xb, yb = two_moons(20)
    with pytest.raises(ValueError, match="sigmoid-twice"):
        fit(sigmoid_model, (Xb, yb), (Xb, yb), nn.BCEWithLogitsLoss(),
            torch.optim.SGD(sigmoid_model.parameters(), lr=0.1), 1, 8,
            torch.Generator(), torch.device("cpu"))  # fmt: skip
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_training_module_exports_what_it_documents():
    for name in training.__all__:
        assert getattr(training, name).__doc__
