// Command hello prints a few results of arithmetic and boolean operations: the program that
// GoSampleBuild builds in the tests and the example app.
package main

import "fmt"

func main() {
	fmt.Println("Hello from GoSampleBuild")
	fmt.Println("2+3+4 =", Sum(2, 3, 4))
	fmt.Println("9.0/4.0 =", Ratio(9.0, 4.0))
	fmt.Println("10/3 =", 10/3, "remainder", 10%3)
	fmt.Println("true && false =", Both(true, false))
	fmt.Println("true || false =", Either(true, false))
	fmt.Println("!false =", !false)
}
