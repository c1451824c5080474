// Package depsanchor keeps required modules in go.mod until the code that uses them lands.
package depsanchor

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/sourcegraph/conc/iter"
	_ "gonum.org/v1/gonum/mat"
	_ "gonum.org/v1/gonum/optimize"
	_ "gonum.org/v1/gonum/stat/distuv"
	_ "gonum.org/v1/plot"
	_ "gopkg.in/yaml.v3"
)
