//go:build race

package demo

// raceEnabled: wazero's compiler is ~50x slower under -race, so tasks
// overrun their deadlines and the demo's checks fail for that alone.
const raceEnabled = true
