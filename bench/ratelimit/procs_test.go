package ratelimit

import "runtime"

func parallelProcs() int { return runtime.GOMAXPROCS(0) }
