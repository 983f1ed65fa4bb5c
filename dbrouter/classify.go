package dbrouter

// IsRead reports whether query is certainly a read that a replica may serve. It is a
// zero-allocation scan: the first keyword must be SELECT, WITH, VALUES, TABLE or SHOW (after
// whitespace, comments and opening parentheses), and no word anywhere outside string literals,
// quoted identifiers and comments may be one that can write or take row locks: INSERT, UPDATE,
// DELETE, MERGE, TRUNCATE, RETURNING, INTO, SHARE (FOR SHARE / FOR KEY SHARE; FOR UPDATE is caught
// by UPDATE), NEXTVAL, SETVAL, CURRVAL, LASTVAL, CREATE, DROP, ALTER, COPY, CALL, DO, LOCK,
// NOTIFY, GRANT, REVOKE, pg_advisory_* and pg_try_advisory_* lock calls, pg_notify, txid_current or
// pg_current_xact_id (which assign a transaction ID). Anything else,
// including an unterminated literal or comment, is not a read, so it goes to the primary: a false
// "not a read" costs a primary round trip, a false "read" would lose a write. A SELECT calling a
// user function that writes is judged a read: a replica refuses it (SQLSTATE 25006) without
// writing, and the router then runs it once on the primary.
func IsRead(query string) bool {
	i := skipSpace(query, 0)
	for i >= 0 && i < len(query) && query[i] == '(' {
		i = skipSpace(query, i+1)
	}
	if i < 0 {
		return false
	}
	start := i
	for i < len(query) && isWordByte(query[i]) {
		i++
	}
	switch w := query[start:i]; {
	case eqFold(w, "SELECT"), eqFold(w, "WITH"), eqFold(w, "VALUES"), eqFold(w, "TABLE"), eqFold(w, "SHOW"):
	default:
		return false
	}
	for i < len(query) {
		c := query[i]
		if wordByte[c] {
			s := i
			for i < len(query) && wordByte[query[i]] {
				i++
			}
			if i-s >= 2 && isWriteWord(query[s:i]) {
				return false
			}
			continue
		}
		switch {
		case c == '\'':
			// E'...' strings take backslash escapes; in any other string a backslash is ambiguous
			// (it depends on standard_conforming_strings), so the query is not judged a read.
			escapes := i > 0 && (query[i-1] == 'E' || query[i-1] == 'e') && (i < 2 || !isWordByte(query[i-2]))
			if i = skipQuoted(query, i+1, '\'', escapes); i < 0 {
				return false
			}
		case c == '"':
			if i = skipQuoted(query, i+1, '"', false); i < 0 {
				return false
			}
		case c == '$':
			if i = skipDollar(query, i); i < 0 {
				return false
			}
		case c == '-' && i+1 < len(query) && query[i+1] == '-',
			c == '/' && i+1 < len(query) && query[i+1] == '*':
			if i = skipSpace(query, i); i < 0 {
				return false
			}
		default:
			i++
		}
	}
	return true
}

// wordByte marks the bytes of identifiers and keywords (ASCII letters, digits, _ and every
// non-ASCII byte).
var wordByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
	}
	return t
}()

func isWordByte(c byte) bool { return wordByte[c] }

// eqFold compares w with the upper-case ASCII word kw, ignoring ASCII case, without allocating.
func eqFold(w, kw string) bool {
	if len(w) != len(kw) {
		return false
	}
	for j := 0; j < len(w); j++ {
		c := w[j]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != kw[j] {
			return false
		}
	}
	return true
}

func hasPrefixFold(w, kw string) bool { return len(w) >= len(kw) && eqFold(w[:len(kw)], kw) }

func isWriteWord(w string) bool {
	switch w[0] | 0x20 { // ASCII lower case of the first letter
	case 'a':
		return eqFold(w, "ALTER")
	case 'c':
		return eqFold(w, "CREATE") || eqFold(w, "COPY") || eqFold(w, "CALL") || eqFold(w, "CURRVAL")
	case 'd':
		return eqFold(w, "DELETE") || eqFold(w, "DO") || eqFold(w, "DROP")
	case 'g':
		return eqFold(w, "GRANT")
	case 'i':
		return eqFold(w, "INSERT") || eqFold(w, "INTO")
	case 'l':
		return eqFold(w, "LOCK") || eqFold(w, "LASTVAL")
	case 'm':
		return eqFold(w, "MERGE")
	case 'n':
		return eqFold(w, "NEXTVAL") || eqFold(w, "NOTIFY")
	case 'p':
		return hasPrefixFold(w, "PG_ADVISORY_") || hasPrefixFold(w, "PG_TRY_ADVISORY_") || eqFold(w, "PG_NOTIFY") ||
			eqFold(w, "PG_CURRENT_XACT_ID")
	case 'r':
		return eqFold(w, "RETURNING") || eqFold(w, "REVOKE")
	case 's':
		return eqFold(w, "SHARE") || eqFold(w, "SETVAL")
	case 't':
		return eqFold(w, "TRUNCATE") || eqFold(w, "TXID_CURRENT")
	case 'u':
		return eqFold(w, "UPDATE")
	}
	return false
}

// skipSpace skips whitespace and comments from i; -1 on an unterminated block comment.
func skipSpace(q string, i int) int {
	for i < len(q) {
		switch c := q[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			depth := 0
			for {
				if i+1 >= len(q) {
					return -1
				}
				if q[i] == '/' && q[i+1] == '*' {
					depth++
					i += 2
				} else if q[i] == '*' && q[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		default:
			return i
		}
	}
	return i
}

// skipQuoted skips to just after the closing quote (a doubled quote is an escaped one);
// -1 when unterminated. With escapes (E” strings) a backslash skips the next byte; without, a
// backslash in a single-quoted string returns -1, because whether it escapes the quote depends on
// the server's standard_conforming_strings and guessing wrong could hide a write.
func skipQuoted(q string, i int, quote byte, escapes bool) int {
	for i < len(q) {
		c := q[i]
		switch {
		case c == quote:
			if i+1 < len(q) && q[i+1] == quote {
				i += 2
				continue
			}
			return i + 1
		case c == '\\' && quote == '\'':
			if !escapes {
				return -1
			}
			i += 2
		default:
			i++
		}
	}
	return -1
}

// skipDollar skips a $tag$...$tag$ literal starting at i, or a $1 parameter; -1 when unterminated.
func skipDollar(q string, i int) int {
	j := i + 1
	if j < len(q) && q[j] >= '0' && q[j] <= '9' {
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		return j
	}
	for j < len(q) && q[j] != '$' {
		if !isWordByte(q[j]) {
			return i + 1
		}
		j++
	}
	if j >= len(q) {
		return -1
	}
	tag := q[i : j+1]
	for k := j + 1; k+len(tag) <= len(q); k++ {
		if q[k] == '$' && q[k:k+len(tag)] == tag {
			return k + len(tag)
		}
	}
	return -1
}
