package main

import "testing"

func TestSum(t *testing.T) {
	if got := Sum(2, 3, 4); got != 9 {
		t.Fatalf("Sum(2, 3, 4) = %d, want 9", got)
	}
	if got := Sum(); got != 0 {
		t.Fatalf("Sum() = %d, want 0", got)
	}
}

func TestRatio(t *testing.T) {
	if got := Ratio(9, 4); got != 2.25 {
		t.Fatalf("Ratio(9, 4) = %v, want 2.25", got)
	}
}

func TestBooleans(t *testing.T) {
	if Both(true, false) {
		t.Fatal("Both(true, false) = true, want false")
	}
	if !Either(true, false) {
		t.Fatal("Either(true, false) = false, want true")
	}
}
