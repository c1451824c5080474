// Package experiments runs many simulations — sweeps, sensitivity
// designs, calibration and optimiser generations — through one run store
// that streams results to disk, resumes after any interruption and splits
// across machines.
//
// # Runs and the store
//
// A [Run] is one replication of one point (a point is a set of parameter
// values). A [Store] is a directory: callers [Store.Submit] batches of
// points (a [Design]) with a number of replications, or [Store.Replicate]
// more replications of old points, as their method decides them — a
// Sobol design doubled, a calibration's or an optimiser's next generation.
// Runs get stable ids 0, 1, … in submission order (point-major within a
// batch). [Store.Execute] runs a batch with an [Evaluator] on several
// workers and journals each run as it finishes (runs.journal, append-only;
// a torn last record is recognised and discarded); [Store.Results] reads a
// batch's outputs back in run_id order (ask/tell); [Store.Finalize] writes
// the tidy rows (rows.csv, rows.parquet: point, replication, run_id,
// parameter columns, variant, metric, value, in run_id order) and per-point
// summaries with 95% CIs (points.csv). Memory holds 8 bytes per run and
// the points' coordinates; outputs live on disk only.
//
// [Store.SubmitFrom] starts the replications at an offset and
// [Store.SubmitDiagonal] runs each point once with its own replication (a
// calibration asks for both). [Open] with [Options].Resume continues a
// store: the same Submit calls return the recorded batches (they are
// checked), and Execute skips the finished runs, so an interrupted study ends with the same files as an
// uninterrupted one. [Options].Shard runs the runs whose id ≡ i (mod n)
// ([Shard], parsed by [ParseShard] from "i/n", 0 ≤ i < n); [Merge]
// combines the n finished shard stores into the store one process would
// have written, byte for byte, and names any missing, duplicated or
// mismatched shard. A shard of an adaptive method reads the other shards'
// finished runs with [OpenReadOnly] and [Store.Available].
//
// # Designs
//
// [NewSpace] reads the parameters of a scenario's experiment block
// (scenarios.Parameter: a field path with bounds, a step or levels, or a
// list of values, integers and categories included) into a [Space];
// [Grid], [Zip], [Random] and [LatinHypercube] build designs over it, and
// [FromUnit] any design given in the unit cube (a sweep's sobol design
// maps package qmc's Sobol sequence through it). [Space.Apply] sets a point's
// values on a scenario.
//
// # Sweeps
//
// [Sweeper] evaluates runs of a scenario's sweep: each point's scenario is
// built once and shared by its replications, and replication r of every
// point uses the same random streams (common random numbers), so
// differences between points are paired.
package experiments
