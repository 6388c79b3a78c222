// Command loop never ends: the sandbox must stop it by fuel or deadline.
package main

import "fmt"

func main() {
	n := 0
	for {
		n++
		if n == -1 {
			break
		}
	}
	fmt.Println(n)
}
