package reports

import (
	"fmt"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Kinds of named things in a scenario, for scenarioNames.
const (
	nameCreatorType = "creator_type"
	nameCampaign    = "campaign"
	nameTrend       = "trend"
	nameMerchant    = "merchant"
	nameGroup       = "group"
)

// scenarioNames reads the display names (the name fields) of a resolved
// scenario's creator types, campaigns, trends, merchants and consumer
// groups: kind → id → name. Plots and tables show a thing by its name
// when it has one, by its id otherwise. A scenario.yaml that does not
// parse gives no names (the ids are shown).
func scenarioNames(scenarioYAML []byte) map[string]map[string]string {
	type named struct {
		ID   string `yaml:"id"`
		Name string `yaml:"name"`
	}
	var doc struct {
		CreatorTypes []named `yaml:"creator_types"`
		Campaigns    []named `yaml:"campaigns"`
		Trends       []named `yaml:"trends"`
		Merchants    []named `yaml:"merchants"`
		Population   struct {
			Groups []named `yaml:"groups"`
		} `yaml:"population"`
	}
	out := map[string]map[string]string{}
	if yaml.Unmarshal(scenarioYAML, &doc) != nil {
		return out
	}
	for kind, list := range map[string][]named{nameCreatorType: doc.CreatorTypes, nameCampaign: doc.Campaigns,
		nameTrend: doc.Trends, nameMerchant: doc.Merchants, nameGroup: doc.Population.Groups} {
		m := map[string]string{}
		for _, n := range list {
			if n.ID != "" && strings.TrimSpace(n.Name) != "" {
				m[n.ID] = strings.TrimSpace(n.Name)
			}
		}
		out[kind] = m
	}
	return out
}

// display returns the name of the thing of kind with id, or id.
func (d *plotData) display(kind, id string) string {
	if n, ok := d.names[kind][id]; ok {
		return n
	}
	return id
}

// namedLabels is the plot labels of ids of kind (nameLabel), with
// fallbacks "FALLBACK 1", "FALLBACK 2", ….
func (d *plotData) namedLabels(ids []string, kind, fallback string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = d.nameLabel(kind, id, fmt.Sprintf("%s %d", fallback, i+1))
	}
	return out
}

// nameLabel is the plot label of the thing of kind with id: its name
// (display) when the plot font draws it; else the part of the name the
// font draws ("Super Value" of "超值购 Super Value", the substitution
// recorded for the one warning) when that part holds a letter; else
// fallback. An id is shown only for a thing without a name.
func (d *plotData) nameLabel(kind, id, fallback string) string {
	name := d.display(kind, id)
	if canRender(d.th.face, name) {
		return name
	}
	var b strings.Builder
	letters := 0
	for _, r := range name {
		if canRender(d.th.face, string(r)) {
			b.WriteRune(r)
			if unicode.IsLetter(r) {
				letters++
			}
		} else {
			b.WriteRune(' ')
		}
	}
	part := strings.Join(strings.Fields(b.String()), " ")
	if letters < 2 {
		return d.th.label(name, fallback)
	}
	d.th.label(name, part) // records the substitution
	return part
}
