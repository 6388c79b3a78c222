// Command membomb allocates until the sandbox's memory cap stops it.
package main

import "fmt"

var keep [][]byte

func main() {
	for i := 0; ; i++ {
		b := make([]byte, 8<<20)
		b[len(b)-1] = byte(i)
		keep = append(keep, b)
		if i == -1 {
			break
		}
	}
	fmt.Println(len(keep))
}
