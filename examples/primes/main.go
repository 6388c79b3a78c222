// Command primes counts the primes in [lo, hi), reading "lo hi" from stdin
// and printing the count.
package main

import (
	"fmt"
	"os"

	"cyclecash/examples/primes/count"
)

func main() {
	var lo, hi uint64
	if _, err := fmt.Fscan(os.Stdin, &lo, &hi); err != nil {
		fmt.Fprintln(os.Stderr, "primes: want \"lo hi\" on stdin:", err)
		os.Exit(2)
	}
	fmt.Println(count.Primes(lo, hi))
}
