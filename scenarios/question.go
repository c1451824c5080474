package scenarios

import "reflect"

// Question is the decision a scenario's report answers first: which variant
// (the baseline included) is best for one merchant, or for the market,
// against one objective, optionally among variants that keep a minimum ROI.
//
//	question:
//	  merchant: glow_beauty   # omit for the whole market
//	  objective: profit       # gmv, profit, orders, new_customers or roi
//	  min_roi: 2              # optional
//
// The report recommends a variant only when its paired difference against
// every other admissible variant excludes zero at 95% after Holm's
// correction; otherwise it says there is no clear difference at 95%.
type Question struct {
	// Merchant is the id of the merchant the question is about; empty means
	// the whole market.
	Merchant string `yaml:"merchant,omitempty" json:"merchant,omitempty"`
	// Objective is the KPI to maximise (default gmv).
	Objective string `yaml:"objective,omitempty" json:"objective,omitempty"`
	// MinROI, when above 0, makes a variant admissible only if its mean ROI
	// (GMV per yuan spent, in the question's scope) is at least this.
	MinROI float64 `yaml:"min_roi,omitempty" json:"min_roi,omitempty"`
}

// QuestionObjectives are the KPIs a question may maximise.
func QuestionObjectives() []string {
	return []string{"gmv", "profit", "orders", "new_customers", "roi"}
}

func init() {
	fieldRules[reflect.TypeOf(Question{})] = map[string]rule{
		"objective": withEmpty(oneOf(QuestionObjectives()...)),
		"min_roi":   nonNeg,
	}
}

// question checks that the question names a merchant of the scenario.
func (v *validator) question() {
	q := v.sc.Question
	if q == nil || q.Merchant == "" {
		return
	}
	known := map[string]bool{}
	for _, m := range v.sc.Merchants {
		known[m.ID] = true
	}
	v.ref("question.merchant", "merchant", q.Merchant, known)
}
