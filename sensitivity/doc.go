// Package sensitivity answers "which parameters drive this output?" for any
// model, deterministic or stochastic: Morris elementary-effect screening,
// variance-based Sobol indices by Saltelli sampling, and one-at-a-time
// effects, each with bootstrap confidence intervals.
//
// # API
//
// The quick form takes a function: [Sobol] returns the indices of a
// deterministic func([]float64) float64 over a list of [Factor] bounds. The
// general form is ask/tell ([Study]): [NewSobolStudy], [NewMorrisStudy] and
// [NewOATStudy] return studies whose Ask lists the evaluations still needed
// ([Task]: run, replication, factor values, seed) and whose Tell records
// their outputs, in any order and from any worker; [Run] drives a study with
// a [Model] on a worker pool. Because every task's seed is fixed by the
// study ([RunSeed]) and the estimators read outputs by run index, the
// results are identical for any worker count, for runs split into shards
// and merged, and for a study resumed by telling it stored results.
//
// # Sobol indices
//
// [SaltelliDesign] takes A and B from the first and last D coordinates of a
// scrambled Sobol sequence ([qmc.NewScrambledSobol]) and evaluates A, B and
// AB_j (A with column j from B) — N(D+2) runs — plus BA_j for second order
// (N(2D+2) runs). With ȳ the replication mean of a run and V̂ the sample
// variance of ȳ over A and B:
//
//   - first order (Saltelli et al. 2010): V_j = (1/N) Σ (ȳ_B − ȳ̄)(ȳ_ABj − ȳ_A),
//     S1_j = V_j / V;
//   - total (Jansen 1999): E_j = (1/2N) Σ (ȳ_A − ȳ_ABj)², ST_j = E_j / V
//     (after the noise correction below);
//   - second order (Saltelli 2002): S2_jk = (1/N) Σ [(ȳ_BAj − ȳ̄)(ȳ_ABk − ȳ̄) −
//     (ȳ_A − ȳ̄)(ȳ_B − ȳ̄)] / V − S1_j − S1_k.
//
// Centring on the mean ȳ̄ leaves the expectations unchanged and keeps a large
// output mean out of the estimators' variance. Intervals are 95% percentile
// bootstrap intervals over base points resampled with replacement (at least
// [MinResamples] resamples, seeded by the design's seed). A factor whose ST
// interval reaches 0 is reported inert ([SobolIndices.Inert]). Because the
// bootstrap treats the quasi-random base points as independent, the
// intervals are conservative: in the coverage study (50 seeds, N = 2^12,
// 1,000 resamples, Ishigami and g-function, 1,100 pooled (seed, index)
// pairs) they covered the analytic value 99.7% of the time.
//
// # Simulation noise
//
// A stochastic model's output is y(x, ω) = f(x) + ε(x, ω). With R ≥ 2
// replications per run, each with its own seed (independent seeds, never
// common random numbers across runs: under common numbers a frozen noise
// pattern is a deterministic function of x and is indistinguishable from a
// parameter effect), the study estimates the noise variance as the pooled
// within-run variance σ̂² = mean over runs of the replications' sample
// variance. The mean of R replications carries noise of variance σ²/R, which
// inflates V̂ by σ²/R and the Jansen numerator by σ²/R (two independent noisy
// runs per difference), while the Saltelli 2010 and second-order numerators
// are unbiased (their noise terms are independent with mean zero). The
// corrected estimates are therefore
//
//	V = V̂ − σ̂²/R,  S1_j = V_j / V,  ST_j = (E_j − σ̂²/R) / V,
//
// and [SobolIndices.NoiseShare] = σ̂² / (V + σ̂²) is the share of one run's
// output variance that is noise rather than the factors. Without correction
// the totals would be inflated by σ²/(R·V̂) each — the "noise masquerading as
// sensitivity" the correction removes. The raw estimates are kept in
// RawS1/RawST. With R = 1 the noise is not estimable: σ̂² is NaN and the
// indices are uncorrected (and the totals then include the noise).
//
// # Stop rule
//
// With [SobolSettings.UntilCI] = W the study analyses each pass and, while
// some output's ST interval is wider than ±W, doubles N (up to MaxN): the new
// pass asks only for base points N … 2N−1, so nothing is recomputed, and the
// extended design is exactly the design of a study started at 2N.
// [SobolStudy.Passes] is the convergence history.
//
// # Morris and one-at-a-time
//
// [MorrisStudy] draws r trajectories on a p-level grid (optionally the r
// most spread out of many candidates, Campolongo et al. 2007) and reports
// μ, μ* (with a bootstrap interval over trajectories) and σ of the
// elementary effects, in output units per full factor range. [OATStudy]
// moves each factor to its bounds from a baseline: the data of a tornado
// chart.
//
// Test functions with analytic indices: [Ishigami], [GFunction].
package sensitivity
