package reports

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// MerchantSummary is one merchant's own results: its KPIs in the baseline
// and, per variant, its KPIs and paired differences against the baseline.
// The KPIs are the engine's per-merchant breakdown metrics (GMV, orders,
// new customers, spend, ROI, …) over replications.
type MerchantSummary struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	KPIs     map[string]KPI    `json:"kpis"`
	Variants []MerchantVariant `json:"variants"`
}

// MerchantVariant is a merchant's results under one what-if variant.
type MerchantVariant struct {
	Name       string          `json:"name"`
	KPIs       map[string]KPI  `json:"kpis"`
	VsBaseline map[string]Diff `json:"vs_baseline"`
}

// Recommendation answers the scenario's question: which variant (the
// baseline included) maximises the objective in the question's scope.
type Recommendation struct {
	// Scope is "market" or the merchant's id; ScopeName its display name.
	Scope     string `json:"scope"`
	ScopeName string `json:"scope_name"`
	Objective string `json:"objective"`
	// ObjectiveLabel names the objective for people ("GMV").
	ObjectiveLabel string `json:"objective_label"`
	MinROI         Num    `json:"min_roi,omitempty"`
	// Decided is true when Winner's paired difference against every other
	// admissible variant is above zero at 95% after Holm's correction.
	Decided bool `json:"decided"`
	// Winner is the recommended variant (empty when not decided); Best is
	// the variant with the highest mean objective either way.
	Winner string `json:"winner,omitempty"`
	Best   string `json:"best,omitempty"`
	// Text is the answer in one or two plain sentences.
	Text string `json:"text"`
	// Method states how the decision is formed.
	Method     string            `json:"method"`
	Candidates []RecommendedItem `json:"candidates"`
	// Costs: the best variant's paired differences against the runner-up
	// on the other headline KPIs of the scope.
	Costs map[string]Diff `json:"costs,omitempty"`
}

// RecommendedItem is one variant considered by a Recommendation.
type RecommendedItem struct {
	Variant    string `json:"variant"`
	Objective  KPI    `json:"objective"`
	ROI        KPI    `json:"roi"`
	Admissible bool   `json:"admissible"`
	// VsBest is the best variant minus this one (paired); P its two-sided
	// paired t-test p-value and PHolm the Holm-adjusted one. Empty for the
	// best variant itself and for inadmissible variants.
	VsBest *Diff `json:"vs_best,omitempty"`
	P      Num   `json:"p,omitempty"`
	PHolm  Num   `json:"p_holm,omitempty"`
}

// question is the part of a resolved scenario the answer needs.
type question struct {
	Question *struct {
		Merchant  string  `yaml:"merchant"`
		Objective string  `yaml:"objective"`
		MinROI    float64 `yaml:"min_roi"`
	} `yaml:"question"`
	Merchants []struct {
		ID   string `yaml:"id"`
		Name string `yaml:"name"`
	} `yaml:"merchants"`
}

func readQuestion(scenarioYAML []byte) (question, error) {
	var q question
	if len(scenarioYAML) == 0 {
		return q, nil
	}
	if err := yaml.Unmarshal(scenarioYAML, &q); err != nil {
		return q, fmt.Errorf("reports: reading the question from the scenario: %w", err)
	}
	return q, nil
}

// merchantMetrics are the per-merchant metrics in the order reports show
// them; a metric the engine's breakdown lacks is left out.
var merchantMetrics = []string{"gmv", "profit", "orders", "new_customers", "spend", "roi", "impressions", "creator_income"}

// merchantValues returns, per replication, metric of merchant id (NaN when
// a replication has no such row).
func merchantValues(v *sim.VariantResult, id, metric string) ([]float64, bool) {
	if metric == "roi" { // by the one rule (stats.ROI) from the gmv and spend rows
		gmv, okG := merchantValues(v, id, "gmv")
		spend, okS := merchantValues(v, id, "spend")
		if okG && okS {
			return stats.ROIs(gmv, spend), true
		}
	}
	out := make([]float64, len(v.Reps))
	found := false
	for i := range v.Reps {
		out[i] = math.NaN()
		for _, r := range v.Reps[i].Breakdown {
			if r.Dimension == "merchant" && r.Key == id && r.Metric == metric {
				out[i] = r.Value
				found = true
				break
			}
		}
	}
	return out, found
}

// merchantDecl returns the MetricDecl a per-merchant metric is shown with.
func merchantDecl(metrics []sim.Metric, name string) sim.Metric {
	for _, m := range metrics {
		if m.Name == name {
			if m.Kind == sim.Ratio {
				// Per merchant a ratio is already formed per replication.
				m.Kind = sim.Sum
			}
			return m
		}
	}
	return sim.Metric{Name: name, Label: name, Kind: sim.Sum}
}

// buildMerchants forms every merchant's section of summary.json.
func buildMerchants(res *sim.Result, q question) []MerchantSummary {
	out := []MerchantSummary{}
	base := &res.Variants[0]
	for _, mc := range q.Merchants {
		ms := MerchantSummary{ID: mc.ID, Name: displayName(mc.Name, mc.ID), KPIs: map[string]KPI{}}
		baseVals := map[string][]float64{}
		for _, name := range merchantMetrics {
			xs, ok := merchantValues(base, mc.ID, name)
			if !ok {
				continue
			}
			baseVals[name] = xs
			ms.KPIs[name] = kpiFrom(merchantDecl(res.Metrics, name), xs, res.Currency)
		}
		if len(baseVals) == 0 {
			continue
		}
		for vi := 1; vi < len(res.Variants); vi++ {
			v := &res.Variants[vi]
			mv := MerchantVariant{Name: v.Name, KPIs: map[string]KPI{}, VsBaseline: map[string]Diff{}}
			for _, name := range merchantMetrics {
				if baseVals[name] == nil {
					continue
				}
				xs, _ := merchantValues(v, mc.ID, name)
				md := merchantDecl(res.Metrics, name)
				mv.KPIs[name] = kpiFrom(md, xs, res.Currency)
				mv.VsBaseline[name] = diffFrom(md, baseVals[name], xs)
			}
			ms.Variants = append(ms.Variants, mv)
		}
		if ms.Variants == nil {
			ms.Variants = []MerchantVariant{}
		}
		out = append(out, ms)
	}
	return out
}

func displayName(name, id string) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	return id
}

// recommend answers the question (nil when the scenario asks none).
func recommend(res *sim.Result, q question) *Recommendation {
	if q.Question == nil {
		return nil
	}
	qq := q.Question
	obj := qq.Objective
	if obj == "" {
		obj = "gmv"
	}
	rec := &Recommendation{Scope: "market", ScopeName: "the market", Objective: obj, MinROI: Num(qq.MinROI),
		Method: "paired t-tests of the best variant against every other admissible one (common random numbers), Holm's correction, 95%"}
	values := func(v *sim.VariantResult, metric string) []float64 {
		for _, m := range res.Metrics {
			if m.Name == metric {
				return repValues(m, v)
			}
		}
		return nil
	}
	if qq.Merchant != "" {
		rec.Scope, rec.ScopeName = qq.Merchant, qq.Merchant
		for _, mc := range q.Merchants {
			if mc.ID == qq.Merchant {
				rec.ScopeName = displayName(mc.Name, mc.ID)
			}
		}
		values = func(v *sim.VariantResult, metric string) []float64 {
			xs, ok := merchantValues(v, qq.Merchant, metric)
			if !ok {
				return nil
			}
			return xs
		}
	}
	objDecl := merchantDecl(res.Metrics, obj)
	rec.ObjectiveLabel = objLabel(objDecl)
	roiDecl := merchantDecl(res.Metrics, "roi")
	objVals := make([][]float64, len(res.Variants))
	best := -1
	for vi := range res.Variants {
		v := &res.Variants[vi]
		xs := values(v, obj)
		objVals[vi] = xs
		item := RecommendedItem{Variant: v.Name, Admissible: xs != nil}
		item.Objective = kpiFrom(objDecl, orNaN(xs, len(v.Reps)), res.Currency)
		roi := values(v, "roi")
		item.ROI = kpiFrom(roiDecl, orNaN(roi, len(v.Reps)), res.Currency)
		if qq.MinROI > 0 && !(float64(item.ROI.Mean) >= qq.MinROI) {
			item.Admissible = false
		}
		if !item.Objective.Mean.Defined() {
			item.Admissible = false
		}
		rec.Candidates = append(rec.Candidates, item)
		if item.Admissible && (best < 0 || float64(item.Objective.Mean) > float64(rec.Candidates[best].Objective.Mean)) {
			best = vi
		}
	}
	if best < 0 {
		rec.Text = fmt.Sprintf("No variant is admissible for %s on %s", rec.ScopeName, objLabel(objDecl))
		if qq.MinROI > 0 {
			rec.Text += fmt.Sprintf(" with ROI at least %s", human(qq.MinROI))
		}
		rec.Text += "."
		return rec
	}
	rec.Best = res.Variants[best].Name
	var ps []float64
	var idx []int
	runnerUp := -1
	for vi := range rec.Candidates {
		it := &rec.Candidates[vi]
		if vi == best || !it.Admissible {
			continue
		}
		d := diffFrom(objDecl, objVals[vi], objVals[best])
		it.VsBest = &d
		t := stats.PairedTest(objVals[best], objVals[vi], stats.TwoSided)
		it.P = Num(t.P)
		p := t.P
		if math.IsNaN(p) {
			p = 1
		}
		ps = append(ps, p)
		idx = append(idx, vi)
		if runnerUp < 0 || float64(it.Objective.Mean) > float64(rec.Candidates[runnerUp].Objective.Mean) {
			runnerUp = vi
		}
	}
	decided := len(ps) > 0
	for k, ph := range stats.Holm(ps) {
		it := &rec.Candidates[idx[k]]
		it.PHolm = Num(ph)
		lo := float64(it.VsBest.Diff.CI95[0])
		if !(ph < 0.05) || !(lo > 0) {
			decided = false
		}
	}
	scopeText := rec.ScopeName
	if runnerUp < 0 {
		rec.Text = fmt.Sprintf("Only %s is admissible for %s; nothing to compare it with.", quoteName(rec.Best), scopeText)
		return rec
	}
	ru := rec.Candidates[runnerUp]
	if decided {
		rec.Decided, rec.Winner = true, rec.Best
		rec.Text = fmt.Sprintf("For %s, %s gives the highest %s: %s, %s more than the runner-up %s [95%% CI %s, %s]; separated from every other variant at 95%% after Holm's correction.",
			scopeText, quoteName(rec.Best), objLabel(objDecl), human(float64(rec.Candidates[best].Objective.Mean)),
			human(float64(ru.VsBest.Diff.Mean)), quoteName(ru.Variant),
			human(float64(ru.VsBest.Diff.CI95[0])), human(float64(ru.VsBest.Diff.CI95[1])))
	} else {
		rec.Text = fmt.Sprintf("For %s, no clear difference at 95%% on %s: %s leads with %s, %s ahead of %s [95%% CI %s, %s], not separated from every other variant after Holm's correction.",
			scopeText, objLabel(objDecl), quoteName(rec.Best), human(float64(rec.Candidates[best].Objective.Mean)),
			human(float64(ru.VsBest.Diff.Mean)), quoteName(ru.Variant),
			human(float64(ru.VsBest.Diff.CI95[0])), human(float64(ru.VsBest.Diff.CI95[1])))
	}
	rec.Costs = map[string]Diff{}
	for _, name := range []string{"gmv", "profit", "spend", "orders", "new_customers", "roi"} {
		if name == obj {
			continue
		}
		a, b := values(&res.Variants[best], name), values(&res.Variants[runnerUp], name)
		if a == nil || b == nil {
			continue
		}
		rec.Costs[name] = diffFrom(merchantDecl(res.Metrics, name), b, a)
	}
	rec.Text += " " + costsText(res.Metrics, rec.Costs, rec.Best, ru.Variant)
	return rec
}

// costsText says what the best variant changes, against the runner-up, on
// the other KPIs whose paired 95% interval excludes zero.
func costsText(metrics []sim.Metric, costs map[string]Diff, best, runnerUp string) string {
	var parts []string
	for _, name := range []string{"gmv", "profit", "spend", "orders", "new_customers", "roi"} {
		d, ok := costs[name]
		if !ok {
			continue
		}
		lo, hi := float64(d.Diff.CI95[0]), float64(d.Diff.CI95[1])
		if !(lo > 0 || hi < 0) {
			continue
		}
		m := merchantDecl(metrics, name)
		parts = append(parts, fmt.Sprintf("%s %s [%s, %s]", objLabel(m), humanSigned(float64(d.Diff.Mean)), humanSigned(lo), humanSigned(hi)))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("Against %s it changes no other headline KPI clearly.", quoteName(runnerUp))
	}
	return fmt.Sprintf("Against %s, %s also moves %s.", quoteName(runnerUp), quoteName(best), strings.Join(parts, ", "))
}

func orNaN(xs []float64, n int) []float64 {
	if xs != nil {
		return xs
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func objLabel(m sim.Metric) string {
	if m.Label != "" {
		return m.Label
	}
	return m.Name
}

func quoteName(s string) string { return "“" + s + "”" }

// sortedMerchantMetrics lists the metrics a merchant section shows, in order.
func sortedMerchantMetrics(k map[string]KPI) []string {
	var out []string
	for _, n := range merchantMetrics {
		if _, ok := k[n]; ok {
			out = append(out, n)
		}
	}
	for n := range k {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// merchantLabel names a per-merchant metric for people.
func (s *Summary) merchantLabel(name string) (label, unit string) {
	if m, ok := s.metric(name); ok {
		return m.Label, m.Unit
	}
	return name, ""
}

// answerMarkdown writes the recommendation and the per-merchant sections.
func (rd *reportData) answerMarkdown(b *bytes.Buffer) {
	s := rd.s
	if r := s.Recommendation; r != nil {
		b.WriteString("## Answer\n\n")
		fmt.Fprintf(b, "**%s**\n\n", mdEscape(r.Text))
		b.WriteString("| variant | " + mdEscape(r.ObjectiveLabel) + " [95% CI] | ROI [95% CI] | best − this [95% CI] | p (Holm) |\n|---|---:|---:|---:|---:|\n")
		for _, c := range r.Candidates {
			vs, p := "—", "—"
			if c.VsBest != nil {
				vs = diffText(*c.VsBest)
				p = humanP(float64(c.PHolm))
			}
			name := mdEscape(c.Variant)
			if !c.Admissible {
				name += " (not admissible)"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", name, ciText(c.Objective), ciText(c.ROI), vs, p)
		}
		fmt.Fprintf(b, "\nMethod: %s.\n\n", mdEscape(r.Method))
	}
	if len(s.Merchants) == 0 {
		return
	}
	b.WriteString("## Per merchant\n\nMean over replications [95% CI]; for variants, the paired difference against the baseline in % [95% CI].\n\n")
	for _, m := range s.Merchants {
		fmt.Fprintf(b, "### %s\n\n| KPI | %s |", mdEscape(m.Name), mdEscape(s.Baseline))
		for _, v := range m.Variants {
			fmt.Fprintf(b, " %s | vs %s |", mdEscape(v.Name), mdEscape(s.Baseline))
		}
		b.WriteString("\n|---|---:|")
		for range m.Variants {
			b.WriteString("---:|---:|")
		}
		b.WriteString("\n")
		for _, name := range sortedMerchantMetrics(m.KPIs) {
			label, _ := s.merchantLabel(name)
			fmt.Fprintf(b, "| %s | %s |", mdEscape(label), ciText(m.KPIs[name]))
			for _, v := range m.Variants {
				fmt.Fprintf(b, " %s | %s |", ciText(v.KPIs[name]), pctText(v.VsBaseline[name]))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
}

type htmlMerchant struct {
	ID, Name string
	Variants []string
	Rows     []htmlMerchantRow
}

type htmlMerchantRow struct {
	Name, Label string
	Cells       []string
}

// htmlMerchants prepares the per-merchant tables of the HTML report.
func (rd *reportData) htmlMerchants() []htmlMerchant {
	var out []htmlMerchant
	for _, m := range rd.s.Merchants {
		hm := htmlMerchant{ID: m.ID, Name: m.Name, Variants: []string{rd.s.Baseline}}
		for _, v := range m.Variants {
			hm.Variants = append(hm.Variants, v.Name, "vs "+rd.s.Baseline)
		}
		for _, name := range sortedMerchantMetrics(m.KPIs) {
			label, _ := rd.s.merchantLabel(name)
			row := htmlMerchantRow{Name: name, Label: label, Cells: []string{ciText(m.KPIs[name])}}
			for _, v := range m.Variants {
				row.Cells = append(row.Cells, ciText(v.KPIs[name]), pctText(v.VsBaseline[name]))
			}
			hm.Rows = append(hm.Rows, row)
		}
		out = append(out, hm)
	}
	return out
}

type htmlCandidate struct {
	Variant, Objective, ROI, VsBest, P string
	Admissible, Winner                 bool
}

func (rd *reportData) htmlCandidates() []htmlCandidate {
	r := rd.s.Recommendation
	if r == nil {
		return nil
	}
	var out []htmlCandidate
	for _, c := range r.Candidates {
		hc := htmlCandidate{Variant: c.Variant, Objective: ciText(c.Objective), ROI: ciText(c.ROI), VsBest: "—", P: "—",
			Admissible: c.Admissible, Winner: r.Decided && c.Variant == r.Winner}
		if c.VsBest != nil {
			hc.VsBest, hc.P = diffText(*c.VsBest), humanP(float64(c.PHolm))
		}
		out = append(out, hc)
	}
	return out
}
