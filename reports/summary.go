package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// FormatVersion is the version of summary.json's layout (and of run.json
// and compare.json, written with it).
//
// Version 2 applies the rule for n < 2 of package stats: a KPI, breakdown
// cell or difference estimated from a single replication has its mean but
// a null SD and CI, with the reason in "reason" (version 1 wrote a
// zero-width CI and SD 0). Version 1 files are still read (see
// [Summary.Upgrade]).
const FormatVersion = 2

// OldestFormatVersion is the oldest summary.json layout this startrend reads.
const OldestFormatVersion = 1

// Summary is summary.json: the run's KPIs with 95% CIs, the variants'
// paired differences against the baseline, breakdowns, distribution
// summaries and campaign-window effects. Every number is a Num (null when
// undefined).
type Summary struct {
	FormatVersion int          `json:"format_version"`
	Scenario      string       `json:"scenario"`
	Hash          string       `json:"hash"`
	Seed          uint64       `json:"seed"`
	Replications  int          `json:"replications"`
	HorizonDays   int          `json:"horizon_days"`
	WarmupDays    int          `json:"warmup_days"`
	Currency      string       `json:"currency"`
	Scale         Num          `json:"scale"`
	Version       string       `json:"version,omitempty"` // read from format-1 files only; the build is recorded in run.json
	Baseline      string       `json:"baseline"`          // name of the baseline variant
	Note          string       `json:"note"`              // what the intervals cover
	Metrics       []MetricDecl `json:"metrics"`
	// KPIs of the baseline, by metric name.
	KPIs map[string]KPI `json:"kpis"`
	// Breakdowns of the baseline, in the engine's order.
	Breakdowns []BreakdownStat `json:"breakdowns"`
	// Variants other than the baseline, in scenario order.
	Variants []VariantSummary `json:"variants"`
	// Distributions (pooled over replications), every variant.
	Distributions []DistStat `json:"distributions"`
	// CampaignWindows: mean daily KPIs inside vs outside each campaign's
	// window, every variant.
	CampaignWindows []WindowEffect `json:"campaign_windows"`
	// Merchants: each merchant's own KPIs and paired differences.
	Merchants []MerchantSummary `json:"merchants"`
	// Recommendation answers the scenario's question (absent when it asks none).
	Recommendation *Recommendation `json:"recommendation,omitempty"`
	// Warnings are the scenario's fields that cannot act in this run
	// (scenarios.Warnings), in file order; empty when every field acts.
	Warnings []RunWarning `json:"warnings"`
}

// RunWarning is one field of the scenario that cannot act in the run.
type RunWarning struct {
	Path     string `json:"path"`
	Message  string `json:"message"`
	Position string `json:"position,omitempty"` // FILE:LINE:COL where the field was written
}

// MetricDecl is a sim.Metric as written to summary.json.
type MetricDecl struct {
	Name           string `json:"name"`
	Label          string `json:"label"`
	Unit           string `json:"unit"`
	Description    string `json:"description,omitempty"`
	Kind           string `json:"kind"` // "sum", "ratio" or "stock"
	Num            string `json:"num,omitempty"`
	Den            string `json:"den,omitempty"`
	HigherIsBetter bool   `json:"higher_is_better"`
}

// KPI is a mean over replications with its Student-t 95% CI. Mean, SD and
// CI are null (with Reason) when no replication defines the KPI; SD and CI
// are null (with Reason) when only one does.
type KPI struct {
	Mean   Num    `json:"mean"`
	SD     Num    `json:"sd"`
	CI95   [2]Num `json:"ci95"`
	N      int    `json:"n"`
	Unit   string `json:"unit"`
	Label  string `json:"label"`
	Reason string `json:"reason,omitempty"`
}

// Interval is a mean with its 95% CI.
type Interval struct {
	Mean Num    `json:"mean"`
	CI95 [2]Num `json:"ci95"`
}

// Diff is a variant's paired difference against the baseline: absolute and
// as a percentage of the baseline mean (null when that mean is 0 or
// undefined; the CI is the absolute CI scaled by the same factor).
type Diff struct {
	Diff   Interval `json:"diff"`
	Pct    Interval `json:"pct"`
	N      int      `json:"n"`
	Reason string   `json:"reason,omitempty"`
}

// VariantSummary is one what-if variant.
type VariantSummary struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	KPIs        map[string]KPI  `json:"kpis"`
	VsBaseline  map[string]Diff `json:"vs_baseline"`
	Breakdowns  []BreakdownStat `json:"breakdowns"`
}

// BreakdownStat is one breakdown cell: a metric for one key of one dimension.
type BreakdownStat struct {
	Dimension string `json:"dimension"`
	Key       string `json:"key"`
	Metric    string `json:"metric"`
	Mean      Num    `json:"mean"`
	CI95      [2]Num `json:"ci95"`
}

// DistStat summarises a distribution pooled over replications (box plots).
type DistStat struct {
	Variant string `json:"variant"`
	Name    string `json:"name"` // e.g. "creator_income:head"
	N       int    `json:"n"`
	Min     Num    `json:"min"`
	Q1      Num    `json:"q1"`
	Median  Num    `json:"median"`
	Q3      Num    `json:"q3"`
	Max     Num    `json:"max"`
	Mean    Num    `json:"mean"`
}

// WindowEffect is a metric's mean daily value inside and outside a
// campaign's window (KPI days), over replications.
type WindowEffect struct {
	Variant  string   `json:"variant"`
	Campaign string   `json:"campaign"`
	Window   [2]int   `json:"window"`
	Metric   string   `json:"metric"`
	Inside   Interval `json:"inside"`
	Outside  Interval `json:"outside"`
}

// NoiseNote is the sentence every report carries about its intervals.
const NoiseNote = "The 95% confidence intervals cover simulation noise only (variation between replications), not uncertainty in the scenario's parameters. An interval of a quantity that cannot be negative is cut at 0."

func kindName(k sim.MetricKind) string {
	switch k {
	case sim.Ratio:
		return "ratio"
	case sim.Stock:
		return "stock"
	}
	return "sum"
}

func unitFor(m sim.Metric, currency string) string {
	if m.Unit == "CNY" && currency != "" {
		return currency
	}
	return m.Unit
}

// repValues returns metric m's value in each replication of v (NaN when
// undefined: a ratio with a zero denominator, or a total the engine did not
// record).
func repValues(m sim.Metric, v *sim.VariantResult) []float64 {
	out := make([]float64, len(v.Reps))
	for i := range v.Reps {
		out[i] = repValue(m, &v.Reps[i])
	}
	return out
}

func repValue(m sim.Metric, r *sim.RepResult) float64 {
	if m.Kind == sim.Ratio {
		num, ok1 := r.Totals[m.Num]
		den, ok2 := r.Totals[m.Den]
		if !ok1 || !ok2 {
			return math.NaN()
		}
		return stats.Ratio(num, den)
	}
	x, ok := r.Totals[m.Name]
	if !ok {
		return math.NaN()
	}
	return x
}

func undefinedReason(m sim.Metric) string {
	if m.Kind == sim.Ratio {
		return stats.ZeroDenominatorEverywhere(m.Den)
	}
	return "no replication recorded it"
}

func kpiFrom(m sim.Metric, xs []float64, currency string) KPI {
	e := stats.MeanCI(xs, stats.DefaultLevel).Clip(kpiBounds(m.Name))
	iv := intervalFrom(e)
	return KPI{Mean: iv.Mean, SD: Num(e.SD), CI95: iv.CI95, N: e.N, Unit: unitFor(m, currency), Label: m.Label,
		Reason: reasonFor(m, e)}
}

// kpiBounds is the range a KPI can take: profit may be negative, shares
// (the creator income Gini, task fulfilment) lie in [0, 1], and every other
// KPI — money, counts, stocks, ratios of them — is non-negative. A KPI's
// Student-t interval is clipped to this range (the true mean lies inside
// it, so clipping keeps the interval's coverage).
func kpiBounds(name string) stats.Bounds {
	switch {
	case name == "profit":
		return stats.Unbounded()
	case strings.Contains(name, "gini"), strings.Contains(name, "fulfilment"):
		return stats.Proportion()
	}
	return stats.NonNegative()
}

// reasonFor is why e's interval is undefined, "" when it is defined.
func reasonFor(m sim.Metric, e stats.Estimate) string {
	switch {
	case e.N == 0:
		return undefinedReason(m)
	case !e.Defined():
		return e.Undefined
	}
	return ""
}

// intervalFrom writes an estimate as an Interval: NaN (undefined) values
// become null.
func intervalFrom(e stats.Estimate) Interval {
	return Interval{Num(e.Mean), [2]Num{Num(e.Lo), Num(e.Hi)}}
}

func diffFrom(m sim.Metric, base, cand []float64) Diff {
	e := stats.PairedDiff(cand, base, stats.DefaultLevel)
	return Diff{Diff: intervalFrom(e), Pct: pctOf(e, stats.MeanCI(base, stats.DefaultLevel)), N: e.N,
		Reason: reasonFor(m, e)}
}

// pctOf scales a difference estimate by 100/|baseline mean|: a ratio, so
// undefined (null) when the baseline mean is 0 or undefined.
func pctOf(e stats.Estimate, base stats.Estimate) Interval {
	f := stats.Ratio(100, math.Abs(base.Mean))
	return Interval{Num(e.Mean * f), [2]Num{Num(e.Lo * f), Num(e.Hi * f)}}
}

// BuildSummary computes summary.json from a result. scenarioYAML is read
// only for campaign windows (may be nil).
func BuildSummary(res *sim.Result, scenarioYAML []byte, version string) (*Summary, error) {
	if res == nil {
		return nil, fmt.Errorf("reports: nil result")
	}
	if len(res.Variants) == 0 {
		return nil, fmt.Errorf("reports: result has no variants (not even the baseline)")
	}
	s := &Summary{
		FormatVersion: FormatVersion,
		Scenario:      res.Scenario,
		Hash:          res.Hash,
		Seed:          res.Seed,
		Replications:  res.Replications,
		HorizonDays:   res.HorizonDays,
		WarmupDays:    res.WarmupDays,
		Currency:      res.Currency,
		Scale:         Num(res.Scale),
		Version:       version,
		Baseline:      res.Variants[0].Name,
		Note:          NoiseNote,
		KPIs:          map[string]KPI{},
		Warnings:      []RunWarning{},
	}
	seen := map[string]bool{}
	for _, m := range res.Metrics {
		if m.Name == "" || seen[m.Name] {
			return nil, fmt.Errorf("reports: metric name %q empty or declared twice", m.Name)
		}
		seen[m.Name] = true
		s.Metrics = append(s.Metrics, MetricDecl{
			Name: m.Name, Label: m.Label, Unit: unitFor(m, res.Currency), Description: m.Description,
			Kind: kindName(m.Kind), Num: m.Num, Den: m.Den, HigherIsBetter: m.HigherIsBetter,
		})
	}
	base := &res.Variants[0]
	baseVals := make(map[string][]float64, len(res.Metrics))
	for _, m := range res.Metrics {
		xs := repValues(m, base)
		baseVals[m.Name] = xs
		s.KPIs[m.Name] = kpiFrom(m, xs, res.Currency)
	}
	s.Breakdowns = breakdownStats(base)
	for vi := 1; vi < len(res.Variants); vi++ {
		v := &res.Variants[vi]
		vs := VariantSummary{Name: v.Name, Description: v.Description,
			KPIs: map[string]KPI{}, VsBaseline: map[string]Diff{}}
		for _, m := range res.Metrics {
			xs := repValues(m, v)
			vs.KPIs[m.Name] = kpiFrom(m, xs, res.Currency)
			vs.VsBaseline[m.Name] = diffFrom(m, baseVals[m.Name], xs)
		}
		vs.Breakdowns = breakdownStats(v)
		s.Variants = append(s.Variants, vs)
	}
	for vi := range res.Variants {
		s.Distributions = append(s.Distributions, distStats(&res.Variants[vi])...)
	}
	wins, err := campaignWindows(scenarioYAML)
	if err != nil {
		return nil, err
	}
	for vi := range res.Variants {
		s.CampaignWindows = append(s.CampaignWindows, windowEffects(res, &res.Variants[vi], wins)...)
	}
	q, err := readQuestion(scenarioYAML)
	if err != nil {
		return nil, err
	}
	s.Merchants = buildMerchants(res, q)
	s.Recommendation = recommend(res, q)
	if s.Breakdowns == nil {
		s.Breakdowns = []BreakdownStat{}
	}
	if s.Variants == nil {
		s.Variants = []VariantSummary{}
	}
	if s.Distributions == nil {
		s.Distributions = []DistStat{}
	}
	if s.CampaignWindows == nil {
		s.CampaignWindows = []WindowEffect{}
	}
	return s, nil
}

// breakdownStats averages a variant's breakdown rows over replications. Rows
// are matched by position (the engine keeps one order for every
// replication); a replication whose row differs is a contract violation and
// its value is ignored. A "roi" row is formed by the one rule,
// [stats.ROI] of the key's "gmv" and "spend" rows (undefined where the
// key spent nothing), when both rows exist.
func breakdownStats(v *sim.VariantResult) []BreakdownStat {
	if len(v.Reps) == 0 {
		return []BreakdownStat{}
	}
	rows := v.Reps[0].Breakdown
	pos := make(map[[3]string]int, len(rows))
	for i, row := range rows {
		pos[[3]string{row.Dimension, row.Key, row.Metric}] = i
	}
	out := make([]BreakdownStat, len(rows))
	xs := make([]float64, len(v.Reps))
	for i, row := range rows {
		gi, okG := pos[[3]string{row.Dimension, row.Key, "gmv"}]
		si, okS := pos[[3]string{row.Dimension, row.Key, "spend"}]
		derived := row.Metric == "roi" && okG && okS
		for r := range v.Reps {
			b := v.Reps[r].Breakdown
			if derived {
				xs[r] = stats.ROI(breakdownValue(b, rows, gi), breakdownValue(b, rows, si))
			} else {
				xs[r] = breakdownValue(b, rows, i)
			}
		}
		iv := intervalOf(xs)
		out[i] = BreakdownStat{Dimension: row.Dimension, Key: row.Key, Metric: row.Metric, Mean: iv.Mean, CI95: iv.CI95}
	}
	return out
}

// breakdownValue is row i of a replication's breakdown b, NaN when it does
// not match the layout (the first replication's rows) or is not finite.
func breakdownValue(b, layout []sim.BreakdownRow, i int) float64 {
	if i >= len(b) || b[i].Dimension != layout[i].Dimension || b[i].Key != layout[i].Key || b[i].Metric != layout[i].Metric {
		return math.NaN()
	}
	if x := b[i].Value; !math.IsInf(x, 0) {
		return x
	}
	return math.NaN()
}

func distStats(v *sim.VariantResult) []DistStat {
	names := map[string]bool{}
	for _, r := range v.Reps {
		for k := range r.Distributions {
			names[k] = true
		}
	}
	keys := sortedKeys(names)
	var out []DistStat
	for _, k := range keys {
		var xs []float64
		for _, r := range v.Reps {
			for _, x := range r.Distributions[k] {
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					xs = append(xs, x)
				}
			}
		}
		d := DistStat{Variant: v.Name, Name: k, N: len(xs)}
		if len(xs) == 0 {
			d.Min, d.Q1, d.Median, d.Q3, d.Max, d.Mean = nan(), nan(), nan(), nan(), nan(), nan()
		} else {
			sort.Float64s(xs)
			var sum float64
			for _, x := range xs {
				sum += x
			}
			d.Min, d.Max = Num(xs[0]), Num(xs[len(xs)-1])
			d.Q1, d.Median, d.Q3 = Num(quantile(xs, 0.25)), Num(quantile(xs, 0.5)), Num(quantile(xs, 0.75))
			d.Mean = Num(sum / float64(len(xs)))
		}
		out = append(out, d)
	}
	return out
}

// quantile of sorted xs with linear interpolation (Hyndman–Fan type 7).
func quantile(xs []float64, p float64) float64 {
	h := p * float64(len(xs)-1)
	lo := int(math.Floor(h))
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type campaignWindow struct {
	ID     string `yaml:"id"`
	Window [2]int `yaml:"window"`
}

// campaignWindows reads the campaigns' ids and windows from the resolved
// scenario; anything else in the file is ignored.
func campaignWindows(scenarioYAML []byte) ([]campaignWindow, error) {
	if len(scenarioYAML) == 0 {
		return nil, nil
	}
	var doc struct {
		Campaigns []campaignWindow `yaml:"campaigns"`
	}
	if err := yaml.Unmarshal(scenarioYAML, &doc); err != nil {
		return nil, fmt.Errorf("reports: reading campaign windows from the scenario: %w", err)
	}
	return doc.Campaigns, nil
}

// windowMetrics are the daily series compared inside vs outside campaign
// windows, when present.
var windowMetrics = []string{"gmv", "orders", "new_customers"}

func windowEffects(res *sim.Result, v *sim.VariantResult, wins []campaignWindow) []WindowEffect {
	var out []WindowEffect
	for _, w := range wins {
		for _, m := range windowMetrics {
			in := make([]float64, len(v.Reps))
			outside := make([]float64, len(v.Reps))
			present := false
			for r, rep := range v.Reps {
				series, ok := rep.Daily[m]
				in[r], outside[r] = math.NaN(), math.NaN()
				if !ok {
					continue
				}
				present = true
				var si, so float64
				var ni, no int
				for d, x := range series {
					day := d + 1
					if day >= w.Window[0] && day <= w.Window[1] {
						si += x
						ni++
					} else {
						so += x
						no++
					}
				}
				if ni > 0 {
					in[r] = si / float64(ni)
				}
				if no > 0 {
					outside[r] = so / float64(no)
				}
			}
			if !present {
				continue
			}
			out = append(out, WindowEffect{Variant: v.Name, Campaign: w.ID, Window: w.Window, Metric: m,
				Inside: intervalOf(in), Outside: intervalOf(outside)})
		}
	}
	return out
}

// intervalOf is the mean of the defined values of xs with its 95% CI
// (null where undefined: no defined value, or only one).
func intervalOf(xs []float64) Interval { return intervalFrom(stats.MeanCI(xs, stats.DefaultLevel)) }

// metric returns the declaration of name, if any.
func (s *Summary) metric(name string) (MetricDecl, bool) {
	for _, m := range s.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return MetricDecl{}, false
}

// variantKPIs returns the KPIs of the named variant (the baseline included).
func (s *Summary) variantKPIs(name string) map[string]KPI {
	if name == s.Baseline {
		return s.KPIs
	}
	for _, v := range s.Variants {
		if v.Name == name {
			return v.KPIs
		}
	}
	return nil
}

// VariantNames lists the baseline then the variants.
func (s *Summary) VariantNames() []string {
	names := []string{s.Baseline}
	for _, v := range s.Variants {
		names = append(names, v.Name)
	}
	return names
}

// Upgrade brings a summary read from an older layout to [FormatVersion]:
// version 1's zero-width intervals from a single replication become
// undefined (null, with the reason), as version 2 writes them. It refuses
// a version outside [OldestFormatVersion, FormatVersion].
func (s *Summary) Upgrade() error {
	if s.FormatVersion < OldestFormatVersion || s.FormatVersion > FormatVersion {
		return fmt.Errorf("format_version %d, this startrend reads %d to %d", s.FormatVersion, OldestFormatVersion, FormatVersion)
	}
	if s.FormatVersion == 1 {
		one := func(k KPI) KPI {
			if k.N == 1 {
				k.SD, k.CI95, k.Reason = nan(), [2]Num{nan(), nan()}, stats.OneObservation
			}
			return k
		}
		for name, k := range s.KPIs {
			s.KPIs[name] = one(k)
		}
		for vi := range s.Variants {
			v := &s.Variants[vi]
			for name, k := range v.KPIs {
				v.KPIs[name] = one(k)
			}
			for name, d := range v.VsBaseline {
				if d.N == 1 {
					d.Diff.CI95, d.Pct.CI95, d.Reason = [2]Num{nan(), nan()}, [2]Num{nan(), nan()}, stats.OneObservation
					v.VsBaseline[name] = d
				}
			}
		}
		if s.Replications == 1 {
			undefinedCIs(s.Breakdowns)
			for vi := range s.Variants {
				undefinedCIs(s.Variants[vi].Breakdowns)
			}
			for i := range s.CampaignWindows {
				w := &s.CampaignWindows[i]
				w.Inside.CI95, w.Outside.CI95 = [2]Num{nan(), nan()}, [2]Num{nan(), nan()}
			}
		}
		s.FormatVersion = FormatVersion
	}
	return nil
}

func undefinedCIs(bs []BreakdownStat) {
	for i := range bs {
		bs[i].CI95 = [2]Num{nan(), nan()}
	}
}
