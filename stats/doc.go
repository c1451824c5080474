// Package stats is startrend's one statistics package: estimates over
// replications with their confidence intervals, the tests and
// corrections the optimiser and the reports use, and the rules for
// undefined values. It is built on gonum's stat and distuv.
//
// # Estimates
//
// An [Estimate] is a point estimate with its standard deviation, standard
// error, number of observations N, confidence Level and interval [Lo, Hi].
// When the interval is undefined, Lo and Hi are NaN and Undefined says
// why; [Estimate.Defined] reports which.
//
//   - [MeanCI]: mean with its Student-t interval (NaN values skipped).
//   - [PairedDiff]: mean of paired differences x[i] − y[i] (common random
//     numbers make replications i of two variants a pair).
//   - [Welch], [WelchDiff]: difference of two independent means with
//     Welch's interval.
//   - [LogMeanCI]: a positive quantity's mean with an interval formed on
//     the log scale; [Estimate.Clip] bounds any interval to a KPI's
//     possible range ([Bounds], [NonNegative], [Proportion]).
//   - [Bootstrap]: seeded, deterministic percentile or [BCa] intervals of
//     any statistic ([Bootstrap.Interval], [Bootstrap.MeanCI]).
//   - [TCritical]: the two-sided Student-t critical value.
//
// # Tests
//
//   - [PairedTest] and [WelchTest]: t tests with a two-sided or one-sided
//     [Alternative], returning a [TestResult].
//   - [Holm]: Holm's step-down adjustment of a family of p-values (the
//     report's recommendation uses it).
//   - Sequential selection (selection.go): paired intervals corrected over
//     comparisons and over every look the budget allows (Bonferroni), which
//     the optimiser's race uses to decide.
//
// # Rules
//
// Small samples: with fewer than two observations the interval is
// undefined with the reason [OneObservation] (the mean is still the
// observation); it is never zero-width. An interval is zero-width only
// when the data have no spread.
//
// Ratios: [Ratio] is undefined (NaN) when its denominator is zero, with
// the reason [ZeroDenominator] (or [ZeroDenominatorEverywhere] over
// replications). [ROI] is the one definition of ROI, gmv / spend, by that
// rule; over replications ROI is the [MeanCI] of the replications' ROIs.
//
// JSON: undefined values are written as null, never as "NaN" strings —
// [Float] for single numbers, [Estimate.MarshalJSON] for estimates.
package stats
