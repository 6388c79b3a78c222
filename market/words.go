package market

import "strings"

// words is the recovery phrase's word list: 256 short, distinct English
// words, so each word is one byte of the account secret.
var words = strings.Fields(`
able acid aged also area army away baby back ball band bank base bath bear beat
bell belt best bird blow blue boat body bold bone book boot born boss both bowl
bulk burn bush busy cake calm camp card care cart case cash cast cell chat chef
city clay club coal coat code cold cook cool copy corn cost crew crop dark data
date dawn deal deep deer desk dial diet dirt dish dock door dose down draw drum
duck dust duty earn ease east easy edge else even exit face fact fair fall farm
fast fear feed feel file fill film find fine fire firm fish flag flat flow foam
fold folk food foot fork form fuel full fund gain game gate gear gift girl glad
glow goal gold golf good gray grid grow gulf hair half hall hand hard harm hat
head heat help herb hero high hill hint hold hole home hook hope horn host hour
huge hunt idea inch iron item jazz join joke jump jury keen keep kind king kite
knee knot lack lake lamp land lane last lawn lead leaf lean left lens life lift
lime line link lion list load loan lock logo long loop lord loud love luck lung
mail main make mall many mask mass meal meat menu mild milk mill mind mint mist
mode moon moss most move much nail name navy neck nest news nice node noon nose
note oath okay open oval oven pack page pain pair palm park path peak pear pine
`)

const secretLen = 16

func wordIndex() map[string]byte {
	idx := make(map[string]byte, len(words))
	for i, w := range words {
		idx[w] = byte(i)
	}
	return idx
}

var wordIdx = wordIndex()

// phrase returns the secret as words.
func phrase(secret []byte) string {
	out := make([]string, len(secret))
	for i, b := range secret {
		out[i] = words[b]
	}
	return strings.Join(out, " ")
}

// parseSecret accepts the secret in hex or as its recovery phrase.
func parseSecret(s string) ([]byte, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if f := strings.Fields(s); len(f) == secretLen {
		out := make([]byte, secretLen)
		for i, w := range f {
			b, ok := wordIdx[w]
			if !ok {
				return nil, ErrBadSecret
			}
			out[i] = b
		}
		return out, nil
	}
	b, err := unhex(s)
	if err != nil || len(b) != secretLen {
		return nil, ErrBadSecret
	}
	return b, nil
}
