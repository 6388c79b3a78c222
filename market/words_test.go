package market

import "testing"

func TestWordList(t *testing.T) {
	if len(words) != 256 || len(wordIdx) != 256 {
		t.Fatalf("%d words, %d distinct; want 256", len(words), len(wordIdx))
	}
}
