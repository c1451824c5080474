// Package scenarios is startrend's scenario language: the Go types of a
// scenario file, strict YAML loading with file:line:col errors, defaults,
// validation, field paths, variants, the JSON Schema and the embedded
// library of scenarios.
//
// # Loading
//
//   - [Load] reads a scenario file (resolving extends, applying --set
//     overrides "PATH=VALUE", filling in defaults, reading the roster CSV,
//     validating); [LoadBytes] does the same for bytes in memory.
//   - [LoadLibrary] and [Default] load the embedded library; [Library]
//     lists it.
//   - Every problem found is reported at once as [Errors], a list of
//     [Error] with its file, line, column, field path, value and what is
//     allowed.
//
// # Reading and changing a scenario
//
//   - [Get], [GetFloat] and [Set] read and replace any field by its path
//     (below); after Set, [Validate] checks the result again.
//   - [ApplyVariant] gives a variant's scenario; [Clone] copies one.
//   - [Marshal] writes the resolved scenario as canonical YAML, and
//     [Hash] is its identity (what a run directory records).
//   - [JSONSchema] describes the language for editors.
//
// The enumerations of the language — [FunnelStages], [Formats], [Tiers],
// [ProductStages], [ContractKinds] — are functions returning a new slice.
//
// # Paths
//
// Paths name any field of a scenario. A path is a dot-separated list of
// segments, read from the scenario's root:
//
//   - a struct field by its YAML name: horizon_days, platform.cpm;
//   - a list element by its id (variants: by name), or by its 0-based index:
//     merchants.brand_a, merchants.0, campaigns.super_value.window.0;
//   - a mapping entry by its key: creator_types.live_seller.affinity.gen_z,
//     creators.generate.tiers.head, platform.formats.live.conversion.
//
// Examples: merchants.brand_a.budget.paid_traffic,
// merchants.brand_a.strategy.matrix.growth-live_seller-head-live.count,
// campaigns.super_value.eligible.merchants. Ids may be any Unicode but may
// not contain '.', '=' or white space, so that every element can be named.
// The same syntax is used by variants, by `--set PATH=VALUE`, by the
// optimiser's decision paths, by sweeps and in error messages.
//
// The model a scenario configures is described in docs/model.md.
package scenarios
