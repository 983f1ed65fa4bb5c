package logging

import (
	"strings"
	"unicode/utf8"
)

// RedactSQL returns query with its literal values replaced by "?", so a
// logged statement shows its shape but no data: string literals ('...',
// E'...', B'...', X'...', U&'...', $tag$...$tag$) and numbers become "?";
// comments, which can carry values (sqlcommenter tags), are dropped;
// whitespace runs, newlines included, collapse to one space. Identifiers
// (also "quoted" and `quoted` ones, with control characters turned into
// spaces), keywords, operators and placeholders
// ($1, ?, :name) are kept. An unterminated literal or comment swallows the
// rest of the query. RedactSQL(RedactSQL(q)) == RedactSQL(q).
func RedactSQL(query string) string {
	var b strings.Builder
	b.Grow(len(query))
	space := false // a space is pending
	emit := func(s string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(s)
	}
	lastIdent := false // the previous token ends with an identifier character
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = true
			lastIdent = false
			i++
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				i = len(query)
			} else {
				i += j
			}
			space = true
			lastIdent = false
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			i = skipBlockComment(query, i)
			space = true
			lastIdent = false
		case c == '\'':
			i = skipQuoted(query, i, false)
			emit("?")
			lastIdent = false
		case !lastIdent && (c == 'e' || c == 'E') && i+1 < len(query) && query[i+1] == '\'':
			i = skipQuoted(query, i+1, true)
			emit("?")
			lastIdent = false
		case !lastIdent && (c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && i+1 < len(query) && query[i+1] == '\'':
			i = skipQuoted(query, i+1, false)
			emit("?")
			lastIdent = false
		case !lastIdent && (c == 'u' || c == 'U') && strings.HasPrefix(query[i+1:], "&'"):
			i = skipQuoted(query, i+2, false)
			emit("?")
			lastIdent = false
		case c == '"' || c == '`':
			j := skipIdentQuoted(query, i, c)
			emit(noControl(query[i:j]))
			i = j
			lastIdent = false
		case c == '$' && !lastIdent:
			if j, ok := dollarQuoted(query, i); ok {
				i = j
				emit("?")
				lastIdent = false
				break
			}
			// $1 placeholder or a lone $: keep it
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			emit(query[i:j])
			i = j
			lastIdent = j > i+1
		case !lastIdent && (c >= '0' && c <= '9' || c == '.' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9'):
			i = skipNumber(query, i)
			emit("?")
			lastIdent = false
		case isIdentByte(c):
			j := i
			for j < len(query) && (isIdentByte(query[j]) || query[j] == '$') {
				j++
			}
			emit(query[i:j])
			i = j
			lastIdent = true
		default:
			_, size := utf8.DecodeRuneInString(query[i:])
			emit(query[i : i+size])
			i += size
			lastIdent = false
		}
	}
	return b.String()
}

// noControl turns ASCII control bytes inside quoted identifiers into
// spaces, keeping a logged statement on one line. Other bytes are kept as
// they are.
func noControl(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if b[i] < 0x20 || b[i] == 0x7f {
			b[i] = ' '
		}
	}
	return string(b)
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// skipQuoted returns the index after the '...' literal starting at i, where
// ” is an escaped quote and, when backslash is set, \x escapes x.
func skipQuoted(q string, i int, backslash bool) int {
	for j := i + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			if backslash {
				j++
			}
		case '\'':
			if j+1 < len(q) && q[j+1] == '\'' {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

func skipIdentQuoted(q string, i int, quote byte) int {
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// skipBlockComment returns the index after the /* */ comment at i,
// honouring PostgreSQL's nesting.
func skipBlockComment(q string, i int) int {
	depth := 0
	for j := i; j+1 < len(q); j++ {
		switch {
		case q[j] == '/' && q[j+1] == '*':
			depth++
			j++
		case q[j] == '*' && q[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(q)
}

// dollarQuoted reports whether a $tag$...$tag$ string starts at i and
// returns the index after it.
func dollarQuoted(q string, i int) (int, bool) {
	j := i + 1
	for j < len(q) && (q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= 0x80 || j > i+1 && q[j] >= '0' && q[j] <= '9') {
		j++
	}
	if j >= len(q) || q[j] != '$' {
		return 0, false
	}
	tag := q[i : j+1]
	end := strings.Index(q[j+1:], tag)
	if end < 0 {
		return len(q), true
	}
	return j + 1 + end + len(tag), true
}

func skipNumber(q string, i int) int {
	j := i
	if strings.HasPrefix(q[i:], "0x") || strings.HasPrefix(q[i:], "0X") {
		j += 2
	}
	for j < len(q) {
		c := q[j]
		switch {
		case c >= '0' && c <= '9', c == '.', c == '_', c >= 'a' && c <= 'f' && j > i+1 && (q[i+1] == 'x' || q[i+1] == 'X'), c >= 'A' && c <= 'F' && j > i+1 && (q[i+1] == 'x' || q[i+1] == 'X'):
			j++
		case (c == 'e' || c == 'E') && j+1 < len(q):
			k := j + 1
			if q[k] == '+' || q[k] == '-' {
				k++
			}
			if k < len(q) && q[k] >= '0' && q[k] <= '9' {
				j = k
				continue
			}
			return j
		default:
			return j
		}
	}
	return j
}
