// Command benchtable runs the bench module's side-by-side benchmarks and prints a markdown table:
// for each comparison, our figure, each peer's, and the ratio.
//
// Convention: a comparison is one Benchmark function whose sub-benchmarks are the contenders,
// ours named "buttress" (or starting with "buttress"), e.g. BenchmarkMemoryHit/buttress and
// BenchmarkMemoryHit/otter. Running them in one process keeps the ratio meaningful on a noisy
// machine. Extra metrics reported with b.ReportMetric (e.g. "overadmit") are shown too.
//
//	go run ./cmd/benchtable [-bench regexp] [-benchtime 1s] [-count 1] [-pkg ./...] [-raw file]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

type result struct {
	group, impl string
	metrics     map[string]float64
	order       int
}

func main() {
	bench := flag.String("bench", ".", "benchmark regexp passed to go test -bench")
	benchtime := flag.String("benchtime", "1s", "go test -benchtime")
	count := flag.Int("count", 1, "go test -count")
	pkg := flag.String("pkg", "./...", "packages to benchmark")
	raw := flag.String("raw", "", "parse this go test output file instead of running go test")
	flag.Parse()

	var out []byte
	if *raw != "" {
		b, err := os.ReadFile(*raw)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
		out = b
	} else {
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", *bench, "-benchmem",
			"-benchtime", *benchtime, "-count", strconv.Itoa(*count), *pkg)
		var buf bytes.Buffer
		cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
		cmd.Stderr = os.Stderr
		err := cmd.Run()
		out = buf.Bytes()
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchtable: go test:", err)
			defer os.Exit(1)
		}
	}
	fmt.Print(render(parse(out)))
}

// parse reads go test -bench output. Repeated runs (-count) are averaged.
func parse(out []byte) []*result {
	byKey := map[string]*result{}
	runs := map[string]int{}
	var list []*result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		name = strings.TrimPrefix(name, "Benchmark")
		group, impl := name, "buttress"
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			group, impl = name[:i], name[i+1:]
		}
		r := byKey[name]
		if r == nil {
			r = &result{group: group, impl: impl, metrics: map[string]float64{}, order: len(list)}
			byKey[name] = r
			list = append(list, r)
		}
		runs[name]++
		n := float64(runs[name])
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			unit := f[i+1]
			r.metrics[unit] += (v - r.metrics[unit]) / n
		}
	}
	return list
}

func isOurs(impl string) bool { return strings.HasPrefix(impl, "buttress") }

func render(list []*result) string {
	groups := map[string][]*result{}
	var names []string
	for _, r := range list {
		if _, ok := groups[r.group]; !ok {
			names = append(names, r.group)
		}
		groups[r.group] = append(groups[r.group], r)
	}
	var b strings.Builder
	b.WriteString("| comparison | implementation | ns/op | B/op | allocs/op | other | vs buttress (time) |\n")
	b.WriteString("|---|---|---:|---:|---:|---|---:|\n")
	for _, g := range names {
		rs := groups[g]
		sort.SliceStable(rs, func(i, j int) bool {
			if isOurs(rs[i].impl) != isOurs(rs[j].impl) {
				return isOurs(rs[i].impl)
			}
			return rs[i].order < rs[j].order
		})
		var ours float64
		for _, r := range rs {
			if isOurs(r.impl) {
				ours = r.metrics["ns/op"]
				break
			}
		}
		for _, r := range rs {
			ratio := "—"
			if ours > 0 && !isOurs(r.impl) && r.metrics["ns/op"] > 0 {
				ratio = fmt.Sprintf("%.2f× ours", r.metrics["ns/op"]/ours)
			}
			var other []string
			for unit, v := range r.metrics {
				switch unit {
				case "ns/op", "B/op", "allocs/op", "MB/s":
					continue
				}
				other = append(other, fmt.Sprintf("%s=%s", unit, num(v)))
			}
			sort.Strings(other)
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", g, r.impl,
				num(r.metrics["ns/op"]), num(r.metrics["B/op"]), num(r.metrics["allocs/op"]),
				strings.Join(other, " "), ratio)
		}
	}
	return b.String()
}

func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
