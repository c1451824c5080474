package safeio_test

import (
	"errors"
	"fmt"

	"github.com/startrend/startrend/internal/safeio"
)

func ExampleReadFile() {
	_, err := safeio.ReadFile("/dev/zero", safeio.ScenarioLimit, "scenario file")
	fmt.Println(err)
	fmt.Println(errors.Is(err, safeio.ErrNotRegular))
	// Output:
	// scenario file /dev/zero: not a regular file (a character device); give a file, or - to read standard input
	// true
}
