"""The backward pass, equation by equation, against central finite differences; plus what else must hold.

Tolerance everywhere: |a − n| ≤ 1e-7 + 1e-5·|n|, float64, eps 1e-6 (scratchpong.gradcheck).
"""

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scratchpong import policy
from scratchpong.commands import gradcheck
from tests.strategies import (
    KINK_MARGIN,
    episode_networks,
    kink_free_networks,
    label,
    networks,
    off_the_kink,
    pixel,
    sparse_of,
    weight,
)


def away_from_kink(W1, x):
    """True when every hidden pre-activation L_ip2 is at least KINK_MARGIN from 0."""
    return all(abs(z) >= KINK_MARGIN for z in policy.x_times_W1(x, W1))


def logit_at_most(W1, W2, x, bound):
    """W2 scaled down, if need be, so that |L_ip3| <= bound (L_ip2 and the ReLU mask do not change)."""
    L_ip3 = policy.policy_forward(W1, W2, x).L_ip3
    return W2 if abs(L_ip3) <= bound else [w * bound / abs(L_ip3) for w in W2]


def assert_rows_agree(rows):
    for row in rows:
        bad = [(k, a, n) for k, (a, n) in enumerate(zip(row.analytic, row.numeric)) if not gradcheck.close(a, n)]
        assert not bad, f"{row.name}: entries (index, analytic, numeric) disagree: {bad[:5]}"


@given(y_p=st.floats(0.01, 0.99), y_a=label)
def test_eq1_matches_finite_difference(y_p, y_a):
    numeric = gradcheck.central_difference(lambda v: y_a * math.log(v[0]) + (1 - y_a) * math.log(1 - v[0]), [y_p])
    assert gradcheck.close(policy.eq1_dlogp_dLop3(y_a, y_p), numeric[0])


@given(z=st.floats(-50.0, 50.0), y_a=label)
@example(z=40.0, y_a=0.0)  # saturated: y_p rounds to 1.0, yet log P stays exact through log-sigmoid
@example(z=-40.0, y_a=1.0)
def test_eq2_matches_finite_difference_even_when_saturated(z, y_a):
    numeric = gradcheck.central_difference(lambda v: gradcheck.logp_of_logit(v[0], y_a), [z])
    assert gradcheck.close(policy.eq2_dlogp_dLip3(y_a, policy.sigm(z)), numeric[0])


@pytest.mark.parametrize("key", ["eq.1", "eq.2", "eq.3", "eq.4", "eq.5", "eq.6", "eq.7", "saliency", "dW1", "dW2"])
@given(net=kink_free_networks())
def test_each_equation_and_the_whole_network_match_finite_differences(key, net):
    W1, W2, x, y_a = net
    assert away_from_kink(W1, x)
    if key == "eq.1":  # eq.1 divides by y_p and 1 − y_p: only defined away from saturation
        W2 = logit_at_most(W1, W2, x, 4.5)  # Sigm(4.5) < 0.99
    assert_rows_agree(gradcheck.check(W1, W2, x, y_a, only={key}))


@given(net=networks())
def test_sparse_path_gives_the_same_numbers_as_dense(net):
    W1, W2, x, y_a = net
    x = [v if abs(v) > 0.5 else 0.0 for v in x]  # make it sparse-ish, like a difference frame
    assert policy.policy_forward(W1, W2, x) == policy.policy_forward(W1, W2, sparse_of(x))
    assert policy.gradients(W1, W2, x, y_a) == policy.gradients(W1, W2, sparse_of(x), y_a)
    assert policy.log_prob(W1, W2, x, y_a) == policy.log_prob(W1, W2, sparse_of(x), y_a)


@given(net=networks(), advantage=st.floats(-5.0, 5.0))
def test_gradient_scales_linearly_with_the_advantage(net, advantage):
    W1, W2, x, y_a = net
    dW1, dW2 = policy.gradients(W1, W2, x, y_a)
    aW1, aW2 = policy.gradients(W1, W2, x, y_a, advantage=advantage)
    assert all(math.isclose(a, advantage * g, rel_tol=1e-12, abs_tol=1e-300) for a, g in zip(aW2, dW2))
    assert all(math.isclose(a, advantage * g, rel_tol=1e-12, abs_tol=1e-300)
               for ra, rg in zip(aW1, dW1) for a, g in zip(ra, rg))
    zW1, zW2 = policy.gradients(W1, W2, x, y_a, advantage=0.0)
    assert all(v == 0.0 for v in zW2) and all(v == 0.0 for row in zW1 for v in row)


@given(net=networks())
def test_dead_hidden_unit_gives_an_exactly_zero_column_of_dW1(net):
    W1, W2, x, y_a = net
    L_ip2 = policy.x_times_W1(x, W1)
    dW1, dW2 = policy.gradients(W1, W2, x, y_a)
    for j, z in enumerate(L_ip2):
        if z <= 0.0:  # dead: Relu passes nothing back (eq.5)
            assert all(row[j] == 0.0 for row in dW1)
            assert dW2[j] == 0.0


@given(net=networks())
def test_zero_input_pixel_gives_an_exactly_zero_row_of_dW1(net):
    W1, W2, x, y_a = net
    x = [0.0] + x[1:]
    dW1, _ = policy.gradients(W1, W2, x, y_a)
    assert all(v == 0.0 for v in dW1[0])


@given(net=networks())
def test_dlogp_dLip3_is_inside_minus_one_one_with_the_sign_of_the_label(net):
    W1, W2, x, y_a = net
    W2 = logit_at_most(W1, W2, x, 30.0)  # beyond ±37, y_p rounds to exactly 0 or 1
    y_p = policy.policy_forward(W1, W2, x).y_p
    d = policy.eq2_dlogp_dLip3(y_a, y_p)
    assert -1.0 < d < 1.0
    assert (d > 0) == (y_a > 0.5)


@given(z=st.floats(-0.5, 0.5), g=weight)
@example(z=0.0, g=1.0)  # Relu'(0) = 0: the kink passes nothing back
def test_relu_subgradient_is_one_above_zero_and_zero_at_or_below(z, g):
    assert policy.eq5_dlogp_dLip2([g], [z]) == [g if z > 0.0 else 0.0]


@pytest.mark.parametrize("z", [1e6, -1e6, 1e308, -1e308, 0.0, 710.0, -710.0, 37.0, -37.0])
def test_sigmoid_and_log_probabilities_are_safe_at_the_edges(z):
    y = policy.sigm(z)
    assert 0.0 <= y <= 1.0 and not math.isnan(y)
    for y_a in (0.0, 1.0):
        lp = gradcheck.logp_of_logit(z, y_a)
        assert math.isfinite(lp) and lp <= 0.0
        d = policy.eq2_dlogp_dLip3(y_a, y)
        assert math.isfinite(d)


def test_log_prob_of_a_saturated_network_is_finite_and_exact():
    W1, W2 = [[1e3]], [1e3]  # L_ip3 = 1e6 for x = [1]
    assert policy.log_prob(W1, W2, [1.0], 1.0) == 0.0
    assert policy.log_prob(W1, W2, [1.0], 0.0) == -1e6
    assert policy.log_prob(W1, W2, [1.0], 0.5) == pytest.approx(-5e5)


@given(x=st.lists(pixel, min_size=3, max_size=3))
def test_forward_keeps_the_derivations_intermediates(x):
    W1 = [[1.0, -1.0], [0.5, 0.5], [-2.0, 1.0]]
    W2 = [1.0, -1.0]
    f = policy.policy_forward(W1, W2, x)
    assert f.L_ip2 == pytest.approx([x[0] + 0.5 * x[1] - 2.0 * x[2], -x[0] + 0.5 * x[1] + x[2]], rel=1e-12, abs=1e-15)
    assert f.h == [max(0.0, v) for v in f.L_ip2]
    assert f.L_ip3 == f.h[0] - f.h[1]
    assert f.y_p == policy.sigm(f.L_ip3)


def test_mismatched_w2_is_refused_with_both_shapes():
    with pytest.raises(ValueError, match=r"W1 has shape \(2, 3\) but W2 has shape \(2,\)"):
        policy.policy_forward([[0.0] * 3] * 2, [0.0, 0.0], [1.0, 1.0])


def test_central_difference_of_a_known_function():
    assert gradcheck.central_difference(lambda v: v[0] ** 2 + 3 * v[1], [2.0, 5.0]) == pytest.approx([4.0, 3.0])


@st.composite
def episodes(draw):
    """A small network and a short episode: sparse inputs of distinct ±1 pixels (a few pixels, so they repeat
    across steps, turning on and off), labels, and rewards that end on a point (so the advantages are not all 0)."""
    W1, W2 = draw(episode_networks(max_size=6))
    D = len(W1)
    T = draw(st.integers(2, 6))
    xs = [sorted({i: draw(st.sampled_from([1.0, -1.0])) for i in draw(st.lists(st.integers(0, D - 1), max_size=3))}
                 .items()) for _ in range(T)]
    labels = draw(st.lists(label, min_size=T, max_size=T))
    rewards = draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, -1.0]), min_size=T - 1, max_size=T - 1))
    return W1, W2, xs, labels, rewards + [draw(st.sampled_from([1.0, -1.0]))]


@given(ep=episodes())
def test_the_training_gradient_of_an_episode_matches_finite_differences(ep):
    """episode_gradient (advantages, h as the eq.5 mask, eq.6 summed by pixel) = d/dW of Σ_t A_t log P(y_t | x_t)."""
    from scratchpong.episode import Trajectory, episode_gradient
    from scratchpong.returns import discount_rewards, standardize

    W1, W2, xs, labels, rewards = ep
    assert all(away_from_kink(W1, x) for x in xs if x)  # an empty x keeps L_ip2 = 0 whatever W1 is: no kink
    traj = Trajectory()
    for x, y_a in zip(xs, labels):
        fwd = policy.policy_forward(W1, W2, x)
        traj.xs.append(x)
        traj.hs.append(fwd.h)
        traj.dlogps.append(policy.eq2_dlogp_dLip3(y_a, fwd.y_p))
        traj.rewards.append(0.0)
    traj.rewards = rewards
    grad_W1, grad_W2 = episode_gradient(traj, W2, gamma=0.9)
    A = standardize(discount_rewards(rewards, 0.9))
    H = len(W2)

    def objective(W1_, W2_):
        return sum(a * policy.log_prob(W1_, W2_, x, y) for a, x, y in zip(A, xs, labels))

    n_W2 = gradcheck.central_difference(lambda v: objective(W1, v), W2)
    n_W1 = gradcheck.central_difference(lambda v: objective(gradcheck.unflatten(v, H), W2), gradcheck.flatten(W1))
    dense_W1 = [grad_W1.get(i, [0.0] * H) for i in range(len(W1))]
    assert all(gradcheck.close(a, n) for a, n in zip(grad_W2, n_W2))
    assert all(gradcheck.close(a, n) for a, n in zip(gradcheck.flatten(dense_W1), n_W1))


@given(ep=episodes())
def test_eq6_summed_by_pixel_equals_the_outer_products_added_step_by_step(ep):
    """eq6_dW1 groups the steps by pixel; the textbook form adds x_tᵀ · eq.5_t one step at a time."""
    W1, W2, xs, labels, _ = ep
    D, H = len(W1), len(W2)
    dL_ip2s = [[0.5 * w * (k + 1) for w in W2] for k in range(len(xs))]
    step_by_step = [[0.0] * H for _ in range(D)]
    for x, d in zip(xs, dL_ip2s):
        dense_x = [dict(x).get(i, 0.0) for i in range(D)]
        step_by_step = [[g + xi * dj for g, dj in zip(row, d)] for row, xi in zip(step_by_step, dense_x)]
    summed = policy.eq6_dW1(xs, dL_ip2s, H)
    assert set(summed) == {i for x in xs for i, _ in x}
    for i in range(D):
        assert summed.get(i, [0.0] * H) == pytest.approx(step_by_step[i], rel=1e-12, abs=1e-15)


@given(net=kink_free_networks())
def test_saliency_of_a_sparse_frame_equals_the_dense_one_and_the_finite_difference(net):
    """play --saliency feeds sparse difference frames: same numbers as dense, and dL_ip3/dx numerically."""
    W1, W2, x, _ = net
    x = [1.0 if v > 0.3 else -1.0 if v < -0.3 else 0.0 for v in x]  # ±1 pixels, like a difference frame
    x[0] = x[0] or 1.0  # at least one pixel changed, so off_the_kink keeps x as it is
    W1, x = off_the_kink(W1, x)
    dense = policy.saliency(W1, W2, x)
    assert policy.saliency(W1, W2, sparse_of(x)) == dense
    numeric = gradcheck.central_difference(lambda v: policy.policy_forward(W1, W2, v).L_ip3, x)
    assert all(gradcheck.close(a, n) for a, n in zip(dense, numeric))
