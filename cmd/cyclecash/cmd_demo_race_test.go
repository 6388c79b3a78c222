//go:build race

package main

// demoRace: wazero's compiler is ~50x slower under -race, too slow for
// the demo's job; the compute cores carry the race tests.
const demoRace = true
