// Package sim is startrend's agent-based engine: users moving through each
// merchant's O-5A funnel, creators publishing and cooperating, merchants
// re-planning their creator matrix and paid traffic, platform mechanisms
// (trends, tasks, campaigns, seeding→harvest linkage) — simulated day by
// day over replications with common random numbers.
//
// # Compiling and running
//
//   - [Compile] validates a scenario (from package scenarios) once and
//     builds the engine's own [Model]: the baseline and every variant with
//     dense indices instead of string ids, typed enumerations instead of
//     strings, arrays instead of per-field maps. A scenario the engine
//     cannot run — invalid, an unknown enumeration or reference — is an
//     error; nothing is mapped to a default. The engine never reads the
//     scenario again.
//   - [RunModel] simulates a Model: the baseline and every variant, each
//     for its replications, in parallel ([Options]: workers, replication
//     indices, progress). The [Result] is identical for any number of
//     workers; variants share the baseline's random numbers, so
//     replication i of a variant and of the baseline form a pair. [Run] is
//     Compile then RunModel.
//   - [Model.MeanFee] is the engine's creator fee model (the rate card
//     over a tier's followers, or the roster's fees), for code that prices
//     cooperations without running (the optimiser's budget weights).
//   - [EstimateMemory] and [CheckMemory] say what a run will need before it
//     starts.
//
// # Results
//
// A [Result] holds one [VariantResult] per variant ([Result.Variants][0]
// is the baseline), each with one [RepResult] per replication: KPI totals,
// daily series, [BreakdownRow]s and distributions. [Metrics] is the metric
// registry: every KPI is declared once as a [Metric] (name, label, unit,
// [MetricKind], the numerator and denominator of a ratio), and every output
// takes its name and meaning from there; code that asks for a KPI by name
// uses its constant ([KPIGMV], [KPISpend], [KPIROI], …).
//
// Statistics over replications (means, intervals, paired differences, ROI)
// are package stats' ([Estimate] is [stats.Estimate]). A ratio KPI of a
// replication is [stats.Ratio] of its numerator and denominator totals,
// undefined when the denominator is zero.
//
// The model is described in docs/model.md; the files a run directory holds
// are written from a Result by package reports (docs/run-directory.md).
package sim
