package sensitivity

import "math"

// Ishigami is the Ishigami–Homma function
// f(x) = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³, a standard test of
// Sobol-index estimators (Ishigami and Homma 1990).
func Ishigami(a, b float64) func([]float64) float64 {
	return func(x []float64) float64 {
		s := math.Sin(x[0])
		t := math.Sin(x[1])
		return s + a*t*t + b*x[2]*x[2]*x[2]*x[2]*s
	}
}

// IshigamiFactors are the Ishigami function's three factors, each on [−π, π].
func IshigamiFactors() []Factor {
	return []Factor{{"x1", -math.Pi, math.Pi}, {"x2", -math.Pi, math.Pi}, {"x3", -math.Pi, math.Pi}}
}

// IshigamiIndices returns the Ishigami function's analytic variance, first
// order and total indices.
func IshigamiIndices(a, b float64) (v float64, s1, st []float64) {
	p4, p8 := math.Pow(math.Pi, 4), math.Pow(math.Pi, 8)
	v1 := 0.5 * (1 + b*p4/5) * (1 + b*p4/5)
	v2 := a * a / 8
	v13 := b * b * p8 * (1.0/18 - 1.0/50)
	v = v1 + v2 + v13
	return v, []float64{v1 / v, v2 / v, 0}, []float64{(v1 + v13) / v, v2 / v, v13 / v}
}

// GFunction is Sobol's g-function Π_j (|4x_j − 2| + a_j) / (1 + a_j) on the
// unit cube: factor j matters less the larger a_j (Saltelli and Sobol 1995).
func GFunction(a []float64) func([]float64) float64 {
	return func(x []float64) float64 {
		p := 1.0
		for j, aj := range a {
			p *= (math.Abs(4*x[j]-2) + aj) / (1 + aj)
		}
		return p
	}
}

// GFactors are the g-function's factors x1 … xD on [0, 1].
func GFactors(d int) []Factor {
	fs := make([]Factor, d)
	for j := range fs {
		fs[j] = Factor{Name: "x" + itoa(j+1), Lo: 0, Hi: 1}
	}
	return fs
}

// GIndices returns the g-function's analytic variance and first-order, total
// and second-order indices (s2[j][k] for j < k).
func GIndices(a []float64) (v float64, s1, st []float64, s2 [][]float64) {
	d := len(a)
	vj := make([]float64, d)
	prod := 1.0
	for j, aj := range a {
		vj[j] = 1 / (3 * (1 + aj) * (1 + aj))
		prod *= 1 + vj[j]
	}
	v = prod - 1
	s1, st = make([]float64, d), make([]float64, d)
	s2 = make([][]float64, d)
	for j := range a {
		s1[j] = vj[j] / v
		st[j] = vj[j] * prod / (1 + vj[j]) / v
		s2[j] = make([]float64, d)
		for k := j + 1; k < d; k++ {
			s2[j][k] = vj[j] * vj[k] / v
		}
	}
	return v, s1, st, s2
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
