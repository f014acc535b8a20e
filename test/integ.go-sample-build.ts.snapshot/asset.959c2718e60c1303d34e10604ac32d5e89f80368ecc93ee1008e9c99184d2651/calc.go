package main

// Sum adds whole numbers.
func Sum(values ...int) int {
	total := 0
	for _, v := range values {
		total += v
	}
	return total
}

// Ratio divides two floating-point numbers.
func Ratio(a, b float64) float64 {
	return a / b
}

// Both reports whether both conditions hold.
func Both(a, b bool) bool {
	return a && b
}

// Either reports whether at least one condition holds.
func Either(a, b bool) bool {
	return a || b
}
