// Package optimize holds the search methods behind `startrend optimize`:
// decision spaces with a budget, ask/tell methods, a parallel and
// reproducible evaluation driver with checkpoints, and racing for the final
// choice among noisy candidates. It knows nothing of the simulator: the
// caller passes an Objective (package strategy is the scenario layer that
// does, for `startrend optimize`).
//
// # Contracts
//
//   - Minimisation: every Method minimises. Run negates the objective when
//     RunOptions.Maximize is set; History and Result hold the objective's own
//     values.
//
//   - Space: per-variable bounds (±Inf for unbounded; Lo == Hi fixes a
//     variable), integer flags, and an optional Budget Σ w·x ≤ or = Total.
//     Space.Repair maps any point to a feasible one deterministically
//     (Euclidean projection onto box ∩ budget, then largest-remainder
//     rounding so an exact budget is spent exactly). Every candidate a
//     Method asks for is feasible.
//
//   - Ask/tell: Ask returns a batch (a generation); Tell gets one value per
//     candidate, in order. Methods: "cmaes" (CMA-ES with IPOP restarts and
//     uncertainty handling for noisy objectives, see CMAES), "discrete"
//     (lazy greedy + local search for integer choices), "random" and
//     "neldermead" (baselines). New builds one by name; MethodNames lists
//     them. Any type implementing Method can be driven by Run, and
//     checkpointed: Run's Checkpoint carries its State, and a run resumes
//     with the caller's own restored method passed with RunOptions.Resume
//     (ResumeMethod and Restore know the built-in methods).
//
//   - Reproducibility: all randomness comes from a PCG seeded by
//     Config.Seed and owned by the method; Run evaluates a generation with
//     any number of workers and places results by index, so the search is
//     the same for any Workers. A noisy Objective must derive its random
//     numbers from (gen, i) — e.g. common random numbers per generation —
//     never from the worker.
//
//   - Checkpoint/resume: Method.State is complete JSON (RNG included) and
//     Restore continues bit-for-bit; Restore and ResumeMethod validate every
//     field of a state before use (dimensions, finiteness, ranges, CMA-ES's
//     strategy parameters exactly those of its λ, a symmetric covariance)
//     and refuse a bad one with an error naming the field, never a panic; Run's Checkpoint callback receives the
//     method state plus history after each generation, and a run resumed
//     from it (ResumeMethod + RunOptions.Resume) ends exactly as an
//     uninterrupted one. Non-finite floats are stored as strings (Float).
//
//   - Errors: bad settings are errors naming the setting and value, all at
//     once (errors.Join), e.g. "optimize: bounds reversed in dimension 3
//     (fees): lo=5 > hi=2". Config's zero values mean "default": PopSize 0 is
//     the default population, while a population below 2 (CMA-ES) or below
//     0 is an error. An objective error or a NaN value stops Run with an
//     error naming the generation and candidate.
//
//   - Budget: RunOptions.MaxEvals is a hard bound (a generation that would
//     pass it is not evaluated).
//
//   - Noise: Race selects among noisy candidates with error control over
//     repeated looks (stats.Selection); CMA-ES re-evaluates, adapts its
//     population and evaluations per candidate, and recommends a smoothed
//     mean (NoiseAuto, the default; a deterministic objective costs three
//     extra evaluations). Replica tells a noisy objective which copy of a
//     candidate a batch index is.
//
// See RESULTS.md for the measured results.
package optimize
