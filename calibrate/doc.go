// Package calibrate fits a stochastic simulator's parameters to observed
// statistics and says how well each parameter is pinned down. It knows
// nothing of the market simulator: the caller passes a [Simulator] that maps
// a parameter vector θ and a replication index to the simulated value of
// every target.
//
// # API
//
//   - [Problem]: the [Parameter]s (bounds, optional [Prior]) and the
//     [Target]s (observed value, standard error and/or relative tolerance),
//     plus the seed of the method's own random numbers.
//   - [NewSMM]: the simulated method of moments — CMA-ES (package
//     optimize) on the weighted distance under common random numbers,
//     uncertainty by the asymptotic sandwich with a finite-difference
//     Jacobian, optionally a parametric bootstrap ([SMMOptions]).
//   - [NewABC]: ABC-SMC — a population per generation, shrinking
//     tolerances, importance weights, effective sample size, a weighted
//     posterior sample ([ABCOptions]).
//   - [Calibration]: both methods in ask/tell form ([Calibration.Ask],
//     [Calibration.Tell]), so that the caller decides how runs execute; or
//     [Calibration.Run] with a [Simulator] ([Parallel] runs a
//     [SimulatorFunc] on several workers).
//   - [Result]: per parameter an estimate, a 95% interval and an
//     [Identification] verdict; per target the simulated value at the fit
//     with its interval, z-score and whether it is within tolerance; the
//     search trace per [Generation].
//
// # Contracts
//
//   - Reproducibility: a Run's output must depend only on (Theta, Rep). The
//     methods' randomness comes from Problem.Seed, and the batches they ask
//     for depend only on the outputs told, so the same problem, options,
//     seed and simulator give an identical Result for any number of workers
//     and when replayed with the outputs of completed runs (a resume from
//     a run store).
//   - Common random numbers: SMM evaluates every candidate on replications
//     0..R−1; the Jacobian uses the same ones. ABC gives every run its own
//     replication index.
//   - Undefined statistics: a simulator may return NaN for a target in a
//     run (a ratio with a zero denominator); means skip it, a candidate
//     with a target undefined in every replication gets a huge distance.
//   - Errors name the parameter, target or option and the value.
//
// # Identifiability
//
// A parameter is "not identified by these targets" when moving it over its
// whole range moves the targets by fewer than [MinSensitivity] standard
// errors, when it lies in a flat direction of G'WG, or when its 95% interval
// covers at least [NotIdentifiedWidth] of the bounds (SMM) or of the
// prior's 95% interval (ABC); weakly identified from [WeakWidth].
package calibrate
