// Package values holds the value conversions more than one backend shares.
package values

import "strconv"

// Float32To64 widens a float32 to the float64 with the same shortest decimal
// form, so a REAL holding 0.1 reads as 0.1 and not 0.10000000149011612.
func Float32To64(f float32) float64 {
	g, err := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	if err != nil {
		return float64(f)
	}
	return g
}
