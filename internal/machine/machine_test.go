package machine

import "testing"

func TestSpinSpeedupIsARatio(t *testing.T) {
	// One goroutine against itself: the ratio of two timings of the same
	// loop, so near 1 whatever the machine's load.
	if s := SpinSpeedup(1); s < 0.5 || s > 2 {
		t.Errorf("SpinSpeedup(1) = %.2f, want about 1", s)
	}
}

func TestCPUTimeAndPeakRSSAdvance(t *testing.T) {
	before := CPUTime()
	x := uint64(1)
	for i := 0; i < 50_000_000; i++ {
		x = x*6364136223846793005 + 1
	}
	sink.Add(x)
	if CPUTime() <= before {
		t.Error("CPUTime did not advance over a busy loop")
	}
	if PeakRSS() == 0 {
		t.Error("PeakRSS is 0 on Linux")
	}
}
