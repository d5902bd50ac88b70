/**
 * One line per metric saying what it is, for a student who meets it in the plot: the metric
 * menu's entries carry it as their tooltip (controls.ts), and the symbols of a formula shown in
 * a legend or a note (γ(1−τ)/(1−μ)) are spelled out in its hover and the note (figure.ts). The
 * labels named "steady-state lr γ(1−τ)/(1−μ)" and "projected lr −⟨Δ,g⟩/‖g‖²" were explained only
 * in the README and the notebooks (a user's pass). The definitions are the trace's
 * (kernel/src/trace/, EFFECTIVE_LR.md).
 */

export const METRIC_HELP: Readonly<Record<string, string>> = {
  lr: "the learning rate γ the optimizer was given (after its scheduler), per parameter group",
  lr_projected: "the step's length along the gradient: −⟨Δ,g⟩/‖g‖² (Δ the update of θ, g the gradient); plain SGD's equals γ",
  lr_per_sample: "the projected lr divided by the batch size B (a mean-reduced loss): the rate each sample's gradient gets",
  lr_realized: "the step's length per unit of gradient: ‖Δ‖/‖g‖, whatever its direction",
  lr_elementwise: "each element's own rate ρ = −Δ/g: the median line and the q05–q95 band of the elements",
  lr_preconditioned: "the optimizer's own per-element factor from its state (Adam: γ/(1−β₁ᵗ)/(√v̂+ε)): median and q05–q95",
  lr_momentum_steady: "γ(1−τ)/(1−μ), γ the lr, μ the momentum, τ the dampening: the rate SGD with momentum reaches under a constant gradient (a limit, not a ceiling: with changing gradients the projected lr can stay below it or overshoot it)",
  update_ratio: "‖Δ‖/‖θ‖: how much of the parameters one step changes (about 1e−3 is a common rule of thumb)",
  angular_update: "the angle (radians) between θ before and after the step",
  grad_norm: "‖g‖: the norm of the gradient the optimizer stepped with",
  param_norm: "‖θ‖: the norm of the parameters",
  loss: "the loss logged with log_loss, one value per step",
  val_loss: "a validation loss logged with log_loss(v, { split: \"val\" }) (or record({ val_loss })), at the step the weights it measured start",
  smoothed_loss: "the loss smoothed by an exponential moving average (the range test's suggestions use it)",
  momentum: "the momentum μ (SGD, RMSprop) or Adam's β₁ at each step (OneCycleLR and CyclicLR cycle it)",
  beta2: "Adam's β₂ at each step",
  weight_decay: "the weight decay at each step",
};

/** The one-line description of a metric (its key when none). */
export function metricHelp(key: string): string {
  return METRIC_HELP[key] ?? key;
}

/**
 * What the symbols of a metric's formula stand for, said after its value in a hover ("" when
 * its label has no symbols a student must guess).
 */
export function symbolsOf(metric: string): string {
  return metric === "lr_momentum_steady" ? "(γ the lr, μ the momentum, τ the dampening)" : "";
}
