import torch

import pytest

from gan_utils.checks import (check_at_least, check_choice, check_function, check_shape, check_tensor,
                              check_value, seal, sealed)


def test_check_value():
    assert check_value(0.5, 0.5) and check_value(torch.tensor(0.50001), 0.5)
    assert repr(check_value(78, 78)) == "✅ Correct!"   # no number: a saved output must not show the answer
    wrong = check_value(0.7, 0.5, hint="think about the equilibrium")
    assert not wrong and "0.7" in repr(wrong) and "equilibrium" in repr(wrong)
    assert not check_value(..., 0.5) and "replace the ..." in repr(check_value(..., 0.5))
    assert "expected a number" in repr(check_value("half", 0.5))
    assert "single number" in repr(check_value(torch.zeros(3), 0.5))


def test_check_shape():
    assert check_shape((1, 28, 28), (1, 28, 28))
    assert check_shape(torch.zeros(1, 28, 28), (1, 28, 28))
    assert check_shape(torch.Size([1, 28, 28]), (1, 28, 28))
    result = check_shape((28, 28, 1), (1, 28, 28))
    assert not result and "expected shape (1, 28, 28), got (28, 28, 1)" in repr(result)
    assert not check_shape("big", (1,))


def test_check_tensor_points_at_the_worst_value():
    expected = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert check_tensor(expected + 1e-7, expected)
    off = check_tensor(torch.tensor([[0.0, 1.0], [2.5, 3.0]]), expected)
    assert not off and "(1, 0)" in repr(off) and "2.5" in repr(off)
    assert "shape" in repr(check_tensor(torch.zeros(3), expected))
    assert check_tensor([[0, 1], [2, 3]], expected)                     # a list of numbers is fine
    assert "shape" in repr(check_tensor([0.0], expected))
    assert "expected a tensor" in repr(check_tensor("zeros", expected))
    assert "NaN" in repr(check_tensor(torch.full((2, 2), float("nan")), expected))


def test_check_function_compares_against_a_reference_and_survives_errors():
    inputs = [(torch.tensor([0.1, 0.9]),), (torch.tensor([0.5]),)]
    assert check_function(lambda p: p * 2, lambda p: p + p, inputs)
    wrong = check_function(lambda p: p * 3, lambda p: p + p, inputs)
    assert not wrong and "tensor([0.1" in repr(wrong)
    crash = check_function(lambda p: 1 / 0, lambda p: p, inputs)
    assert not crash and "ZeroDivisionError" in repr(crash)
    assert "finish its body" in repr(check_function(lambda p: ..., lambda p: p, inputs))
    assert not check_function(..., lambda p: p, inputs)


def test_check_function_gives_each_function_its_own_copy_of_the_inputs():
    inputs = [(torch.tensor([1.0, 2.0]),)]

    def doubles_in_place(x):
        return x.mul_(2)  # without copies, the reference would see the doubled tensor too

    assert not check_function(doubles_in_place, lambda x: x, inputs)
    assert inputs[0][0].tolist() == [1.0, 2.0]


def test_check_choice():
    assert check_choice(" B ", "b")
    assert not check_choice("a", "b") and "'a' is not" in repr(check_choice("a", "b"))
    assert "one letter" in repr(check_choice("z", "b"))


def test_a_sealed_answer_checks_like_a_plain_one_without_showing_itself():
    letter, number = sealed(seal("c")), sealed(seal(0.707))
    assert seal("c") == "Yw==" and "c" not in repr(letter) and "0.707" not in repr(number)
    assert check_choice("C", letter) and not check_choice("b", letter)
    assert "'b' is not the best answer" in repr(check_choice("b", letter))
    assert check_value(0.70701, number, tol=1e-3) and not check_value(0.5, number, tol=1e-3)
    assert "0.707" not in repr(check_value(0.70701, number, tol=1e-3))  # a saved output gives nothing away
    assert "replace the ..." in repr(check_value(..., number)) and "replace the ..." in repr(check_choice(..., letter))


def test_check_at_least_compares_with_a_stated_threshold():
    assert check_at_least(0.045, 0.03, as_percent=True) and "4.5%" in repr(check_at_least(0.045, 0.03, as_percent=True))
    short = check_at_least(torch.tensor(0.01), 0.03, hint="try another row", as_percent=True)
    assert not short and "1.0% is below the 3.0%" in repr(short) and "another row" in repr(short)
    assert "replace the ..." in repr(check_at_least(..., 0.03)) and "expected a number" in repr(check_at_least("x", 1))


def test_a_sealed_answer_that_is_not_base64_says_where_it_should_come_from():
    with pytest.raises(ValueError, match="seal_answer"):
        check_choice("a", sealed("not base64!"))


def test_check_module_compares_layers_and_output_with_the_weights_copied():
    from torch import nn

    from gan_utils.checks import check_module
    reference = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = torch.randn(5, 3)
    assert check_module(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), reference, x)
    assert "Not yet" in repr(check_module(..., reference, x))
    assert "has (4, 3) there" in repr(check_module(nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2)), reference, x))
    wrong = check_module(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), reference, x)
    assert not wrong and "computes something else" in repr(wrong)
    assert "parameter tensors" in repr(check_module(nn.Sequential(nn.Linear(3, 4)), reference, x))
    assert reference.training                                     # handed back in its own mode
