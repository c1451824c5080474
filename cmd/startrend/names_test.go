package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 16 (human names): plots and captions show the scenario's names of
// creator types, campaigns and trends, never their ids — "Trend setter",
// not trend_setter; "Super Value" (the part of "超值购 Super Value" a font
// without CJK draws) in the plots and the whole name in the captions.
func TestPlotsShowNamesNotIDs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, e := run(t, append([]string{"run", "-o", dir}, tinyRun...)...); code != 0 {
		t.Fatalf("run: %d %s", code, e)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	svg := map[string][]string{
		"plots/breakdown_type_format_gmv.svg": {"Trend setter", "Live-room seller"},
		"plots/campaign_super_value_gmv.svg":  {"Super Value"},
		"plots/kpi_gmv.svg":                   {"Super Value"},
		"plots/trend_mint_manbo_adoption.svg": {"Mint Manbo"},
	}
	for f, wants := range svg {
		s := read(f)
		for _, w := range wants {
			if !strings.Contains(s, w) {
				t.Errorf("%s lacks the name %q", f, w)
			}
		}
		for _, id := range []string{">trend_setter<", ">live_seller<", "super_value", "mint_manbo", "campaign 1", "trend 1"} {
			if strings.Contains(s, id) {
				t.Errorf("%s shows %q", f, id)
			}
		}
	}
	md := read("report.md")
	for _, w := range []string{"Campaign 超值购 Super Value (days", "Trend 薄荷曼波 Mint Manbo: creators who adopted it"} {
		if !strings.Contains(md, w) {
			t.Errorf("report.md lacks the caption %q", w)
		}
	}
}
