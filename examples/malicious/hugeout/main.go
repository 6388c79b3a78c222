// Command hugeout writes to stdout forever: the output cap must stop it.
package main

import (
	"bytes"
	"os"
)

func main() {
	line := bytes.Repeat([]byte("x"), 64<<10)
	for {
		if _, err := os.Stdout.Write(line); err != nil {
			os.Exit(3)
		}
	}
}
