package sim

// This file is the contract between the engine and everything downstream
// (optimize, reports, cmd): what a run returns. Package reports writes the
// files of a run directory (docs/run-directory.md) from a Result.

import (
	"encoding/json"

	"github.com/startrend/startrend/stats"
)

// MetricKind says how a KPI of one replication is formed from the day's
// values.
type MetricKind int

const (
	// Sum metrics are totals over the KPI days (GMV, orders, spend).
	Sum MetricKind = iota
	// Ratio metrics are the ratio of two Sum metrics' totals (ROI = gmv /
	// spend). A replication whose denominator is zero has no value for it.
	Ratio
	// Stock metrics are levels (funnel stocks, active creators); the KPI
	// is the value on the last day, the daily series is the level per day.
	Stock
)

// Metric declares one KPI once; every output (CSV, JSON, plots, comparisons)
// takes its name, unit and meaning from here.
type Metric struct {
	Name        string     // snake_case identifier used in every file
	Label       string     // human label for plots and tables
	Unit        string     // "CNY" (replaced by the scenario's currency), "orders", "users", "ratio", ...
	Description string     // formula and meaning, for the glossary
	Kind        MetricKind //
	Num, Den    string     // for Ratio: the Sum metrics divided
	// HigherIsBetter orders verdicts ("raises GMV" is good, "raises spend" is not).
	HigherIsBetter bool
}

// Result is everything a run produced, in memory. Every slice is in a
// deterministic order that does not depend on the number of workers.
type Result struct {
	Scenario     string // scenario name
	Hash         string // hex SHA-256 of the resolved scenario YAML
	Seed         uint64
	Replications int
	HorizonDays  int
	WarmupDays   int
	Currency     string
	Scale        float64
	// Metrics declared for this run (KPIs, in report order).
	Metrics []Metric
	// Variants: [0] is the baseline (Name "baseline"), then the scenario's
	// variants in file order. All variants share random numbers (CRN).
	Variants []VariantResult
	// Work records how much work was done (goes to run.json).
	Work Work
}

// VariantResult holds the replications of one variant.
type VariantResult struct {
	Name        string
	Description string
	// Reps[r] is replication r (r = 0..Replications-1).
	Reps []RepResult
}

// RepResult is one replication's outcome.
type RepResult struct {
	// Totals holds each Sum metric's total over the KPI days and each Stock
	// metric's last-day level, in real units. Ratio metrics are not stored:
	// compute them from Num/Den totals.
	Totals map[string]float64
	// Daily holds per-day series over the KPI days (index 0 = day 1) for
	// metrics and keyed series: "gmv", "stock_a3", "trend_adopters:mint_manbo",
	// "trend_bass:mint_manbo" (the closed-form reference), ...
	Daily map[string][]float64
	// Breakdown rows, in a fixed order identical across replications and
	// variants (zero rows kept): dimension (merchant, creator_type,
	// creator_tier, format, contract, fact_channel, trend, campaign, ...),
	// key, metric, value.
	Breakdown []BreakdownRow
	// Distributions hold samples for box plots, e.g. "creator_income:head"
	// (income per active creator of the tier over the horizon).
	Distributions map[string][]float64
}

// BreakdownRow is one value of one metric for one key of one dimension.
// A ratio row (roi) is undefined, NaN, where its denominator is zero; in
// JSON an undefined Value is null ([stats.Float]).
type BreakdownRow struct {
	Dimension string
	Key       string
	Metric    string
	Value     float64
}

// breakdownJSON is BreakdownRow's JSON form.
type breakdownJSON struct {
	Dimension string
	Key       string
	Metric    string
	Value     stats.Float
}

// MarshalJSON implements [json.Marshaler]: an undefined Value is null.
func (r BreakdownRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(breakdownJSON{r.Dimension, r.Key, r.Metric, stats.Float(r.Value)})
}

// UnmarshalJSON implements [json.Unmarshaler]: null reads as NaN.
func (r *BreakdownRow) UnmarshalJSON(b []byte) error {
	var j breakdownJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = BreakdownRow{j.Dimension, j.Key, j.Metric, float64(j.Value)}
	return nil
}

// Work is what a run cost; it varies with the machine and goes to run.json.
type Work struct {
	Workers  int     // parallel workers actually used
	Chunks   int     // units of work scheduled (replication × variant × chunk)
	UserDays float64 // user agent-days simulated (warm-up included)
	// Impressions evaluated (agent impressions of scenario content that
	// were responded to, paid included) and funnel transitions (moves
	// O→A1 … A4→A5, first orders included), warm-up included.
	Impressions, Transitions float64
}
