//go:build race

package compute

// raceEnabled: the race detector maps terabytes of shadow memory, which no
// address-space or data limit admits.
const raceEnabled = true
