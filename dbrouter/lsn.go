package dbrouter

import (
	"fmt"
	"strconv"
	"strings"
)

// LSN is a PostgreSQL write-ahead-log position (pg_lsn), comparable as a number: a larger LSN is
// later in the log. Zero means "no position".
type LSN uint64

// String formats the LSN the way PostgreSQL does ("16/B374D848").
func (l LSN) String() string {
	return strconv.FormatUint(uint64(l)>>32, 16) + "/" + strings.ToUpper(strconv.FormatUint(uint64(l)&0xFFFFFFFF, 16))
}

// ParseLSN parses PostgreSQL's text form of a pg_lsn ("16/B374D848").
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok || hi == "" || lo == "" || len(hi) > 8 || len(lo) > 8 {
		return 0, fmt.Errorf("%w: %q is not of the form X/Y", ErrBadLSN, s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrBadLSN, s, err)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrBadLSN, s, err)
	}
	return LSN(h<<32 | l), nil
}
