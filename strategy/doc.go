// Package strategy is `startrend optimize`'s scenario layer: it turns a
// scenario's optimize block into a search problem over its decisions and
// solves it against the simulator with the generic methods of package
// optimize.
//
// The API:
//
//   - [NewProblem] reads the optimize block of a scenario (decisions,
//     budget, objective, constraints) into a [Problem]: an optimize.Space
//     plus [Problem.Apply] (a candidate as a scenario), [Problem.Value]
//     (the penalised objective of a run's KPIs), [Problem.Cost] and
//     [Problem.Feasible]. Its errors carry the file:line:col the
//     scenarios package recorded when loading.
//     A money decision on a matrix count costs the engine's mean fee of
//     the entry's tier and type ([sim.Model.MeanFee]); objectives and KPIs
//     are named by the engine's registry constants ([sim.KPIGMV], …).
//   - [Solve] runs the search, the final race (optimize.Race, whose
//     decision has stated error control) and the efficient frontier (warm
//     started from the search) within a hard budget of simulator runs
//     ([SolveOptions]); it returns the [Outcome] written as optimize.json.
//     A budget too small to work is a [BudgetError] naming the smallest
//     that works.
//   - Checkpoints: [SolveState] is Solve's complete state;
//     [MarshalSolveState] seals it (checksum, producer, format version) and
//     [UnmarshalSolveState] refuses a damaged, tampered or foreign one with
//     a message naming the field, before anything uses it.
//   - [SimulateMerchant] is the bridge to the engine: a [Simulate]
//     function running sim.Run and returning one merchant's KPIs per
//     replication (roi by [stats.ROI]: undefined, NaN, where a replication
//     spent nothing).
//
// Data flows one way: scenarios → sim → optimize → strategy; package
// reports reads the Outcome; cmd/startrend wires them.
package strategy
