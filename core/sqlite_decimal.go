package core

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Decimals on SQLite. A Decimal column is TEXT there, so that values stay
// exact (SQLite's NUMERIC affinity would turn them into float64), declared
// with the collation DecimalCollation, which core registers on every
// connection. The collation orders and compares the texts as the numbers
// they spell, exactly: "9.99" < "10.00", "10" = "10.00", "-1" < "0.5". Since
// SQLite applies a column's collation to every comparison with the column
// (=, <, BETWEEN, IN), to ORDER BY, DISTINCT, GROUP BY, min() and max() and
// to indexes, filters and ordering on decimal columns give the same rows as
// PostgreSQL's and MySQL's DECIMAL, with nothing rounded. Texts that are not
// decimal numbers sort after every number, byte by byte among themselves.
//
// Sums and averages are the aggregates DecimalSum and DecimalAvg: SQLite's
// sum() and avg() would read the texts as float64. A database file with
// such columns needs the collation to be queried: other tools than atomdb
// must register one of the same name.
const (
	DecimalCollation = "atomdb_decimal"
	// DecimalSum is the SQLite aggregate giving the exact sum of decimal
	// texts, as text with the largest scale of its inputs (NULL over no
	// row).
	DecimalSum = "atomdb_decimal_sum"
	// DecimalAvg is the SQLite aggregate giving the average of decimal
	// texts: their exact sum divided by their count, rounded half away
	// from zero to DecimalAvgScale decimal places or the largest scale of
	// its inputs if more.
	DecimalAvg = "atomdb_decimal_avg"
	// DecimalAvgScale is the least number of decimal places of DecimalAvg.
	DecimalAvgScale = 16
)

// decNum is a decimal number spelt in a text: sign, the digits before and
// after the point and a power of ten, without allocating.
type decNum struct {
	neg        bool
	int, frac  string
	exp        int
	start, end int // the significant digits, as indexes into int+frac
	point      int // the value is 0.digits[start:end] * 10^point
}

func (d *decNum) digit(i int) byte {
	if i < len(d.int) {
		return d.int[i]
	}
	return d.frac[i-len(d.int)]
}

func (d *decNum) zero() bool { return d.start == d.end }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDec reads [+-]digits[.digits][(e|E)[+-]digits], with at least one
// digit in the mantissa, surrounded by optional spaces.
func parseDec(s string) (decNum, bool) {
	var d decNum
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	mant := s
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 1<<30 || e < -(1<<30) {
			return d, false
		}
		d.exp = e
	}
	d.int, d.frac, _ = strings.Cut(mant, ".")
	if d.int == "" && d.frac == "" || !allDigits(d.int) || !allDigits(d.frac) {
		return d, false
	}
	n := len(d.int) + len(d.frac)
	for d.start < n && d.digit(d.start) == '0' {
		d.start++
	}
	d.end = n
	for d.end > d.start && d.digit(d.end-1) == '0' {
		d.end--
	}
	d.point = len(d.int) + d.exp - d.start
	return d, true
}

// compareDec compares two parsed numbers: -1, 0 or 1.
func compareDec(a, b *decNum) int {
	sign := func(d *decNum) int {
		switch {
		case d.zero():
			return 0
		case d.neg:
			return -1
		}
		return 1
	}
	sa, sb := sign(a), sign(b)
	if sa != sb || sa == 0 {
		return cmpInt(sa, sb)
	}
	mag := 0
	if a.point != b.point {
		mag = cmpInt(a.point, b.point)
	} else {
		i, j := a.start, b.start
		for ; i < a.end && j < b.end && mag == 0; i, j = i+1, j+1 {
			mag = cmpInt(int(a.digit(i)), int(b.digit(j)))
		}
		if mag == 0 {
			mag = cmpInt(a.end-i, b.end-j) // more digits left: larger
		}
	}
	return mag * sa
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CompareDecimalText is the DecimalCollation: it compares two texts as the
// decimal numbers they spell (see DecimalCollation), returning -1, 0 or 1.
func CompareDecimalText(a, b string) int {
	da, okA := parseDec(a)
	db, okB := parseDec(b)
	switch {
	case okA && okB:
		return compareDec(&da, &db)
	case okA:
		return -1
	case okB:
		return 1
	}
	return strings.Compare(a, b)
}

// decimalArg reads one argument of the decimal aggregates: a decimal text,
// an integer or a float (by its shortest representation), with its scale.
// NULL is skipped (ok false, no error).
func decimalArg(v any) (r *big.Rat, scale int, ok bool, err error) {
	var s string
	switch x := v.(type) {
	case nil:
		return nil, 0, false, nil
	case []byte:
		if x == nil {
			return nil, 0, false, nil
		}
		s = string(x)
	case string:
		s = x
	case int64:
		return new(big.Rat).SetInt64(x), 0, true, nil
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, 0, false, fmt.Errorf("%s: cannot add a %T", DecimalSum, v)
	}
	d, good := parseDec(s)
	if !good {
		return nil, 0, false, fmt.Errorf("%s: %q is not a decimal number", DecimalSum, s)
	}
	if d.exp > 4096 || d.exp < -4096 {
		return nil, 0, false, fmt.Errorf("%s: %q is out of range", DecimalSum, s)
	}
	r, good = new(big.Rat).SetString(strings.TrimSpace(s))
	if !good {
		return nil, 0, false, fmt.Errorf("%s: %q is not a decimal number", DecimalSum, s)
	}
	return r, max(0, len(d.frac)-d.exp), true, nil
}

// DecimalAggregate is the state of the SQLite aggregates DecimalSum (Avg
// false) and DecimalAvg (Avg true), which the SQLite backend registers.
type DecimalAggregate struct {
	// Avg makes Done return the average rather than the sum.
	Avg   bool
	sum   big.Rat
	n     int64
	scale int
}

// Step adds one value: a decimal text, an integer or a float; NULL is skipped.
func (a *DecimalAggregate) Step(v any) error {
	r, scale, ok, err := decimalArg(v)
	if err != nil || !ok {
		return err
	}
	a.sum.Add(&a.sum, r)
	a.n++
	a.scale = max(a.scale, scale)
	return nil
}

// Done returns the sum or average as decimal text, or nil over no value.
func (a *DecimalAggregate) Done() (any, error) {
	if a.n == 0 {
		return nil, nil
	}
	if !a.Avg {
		return a.sum.FloatString(a.scale), nil
	}
	q := new(big.Rat).Quo(&a.sum, new(big.Rat).SetInt64(a.n))
	return q.FloatString(max(a.scale, DecimalAvgScale)), nil
}
