package scenarios_test

import (
	"errors"
	"fmt"

	"github.com/startrend/startrend/scenarios"
)

// Load a library scenario, change a field by its path, and validate.
func Example() {
	sc, err := scenarios.LoadLibrary("default", "replications=3")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Name, sc.Replications)
	if err := scenarios.Set(sc, "horizon_days", 45); err != nil {
		fmt.Println(err)
		return
	}
	days, _ := scenarios.GetFloat(sc, "horizon_days")
	fmt.Println(days, scenarios.Validate(sc) == nil)

	// A value out of range: Validate says where and what is allowed.
	scenarios.Set(sc, "replications", 0)
	var es scenarios.Errors
	if err := scenarios.Validate(sc); errors.As(err, &es) {
		fmt.Println(es[0].Path, es[0].Msg)
	}
	// Output:
	// default 3
	// 45 true
	// replications out of range
}

// Every problem of a scenario is reported with its file, line and column.
func ExampleLoadBytes() {
	_, err := scenarios.LoadBytes("mine.yaml", []byte("name: mine\nhorizon_days: -3\npopulaton: {users: 10}\n"))
	fmt.Println(err)
	// Output:
	// mine.yaml:1:1: creators: no creators: give generate, roster or both
	// mine.yaml:1:1: merchants: missing required field
	// mine.yaml:1:1: population.users: out of range (got 0, allowed [1, 2e+08])
	// mine.yaml:2:15: horizon_days: out of range (got -3, allowed [1, 3650])
	// mine.yaml:3:1: unknown field "populaton" (did you mean "population"?)
}

// The enumerations are copies: changing one changes nothing else.
func ExampleTiers() {
	t := scenarios.Tiers()
	t[0] = "changed"
	fmt.Println(scenarios.Tiers())
	// Output: [head waist tail koc]
}
