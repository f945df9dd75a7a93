package fasta

import "strconv"

// ExpectedSize is how many bytes the output of o holds on average over
// seeds: exact but for the read lengths, which are drawn, so their mean is
// taken. It is what a progress line measures against.
func ExpectedSize(o Options) (float64, error) {
	o, err := o.Resolve()
	if err != nil {
		return 0, err
	}
	n := float64(o.Sequences)
	meanLen := float64(o.MinLen+o.MaxLen) / 2
	// ">" prefix "_" number " len=" length "\n", then the bases and "\n".
	size := n * (1 + float64(len(o.Prefix)) + 1 + 5 + meanDigits(o.MinLen, o.MaxLen) + 1 + meanLen + 1)
	for lo := 1; lo <= o.Sequences; lo *= 10 { // numbers of each width
		hi := min(lo*10-1, o.Sequences)
		size += float64(hi-lo+1) * float64(max(6, len(strconv.Itoa(lo))))
	}
	return size, nil
}

// meanDigits is the mean width of the numbers lo..hi in decimal.
func meanDigits(lo, hi int) float64 {
	var sum float64
	for w := 1; w <= 20; w++ {
		first, last := pow10(w-1), pow10(w)-1
		if first > hi {
			break
		}
		if k := min(hi, last) - max(lo, first) + 1; k > 0 {
			sum += float64(k) * float64(w)
		}
	}
	return sum / float64(hi-lo+1)
}

func pow10(k int) int {
	p := 1
	for range k {
		p *= 10
	}
	return p
}
