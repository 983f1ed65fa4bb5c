package httpcache

import (
	"net/http"
	"strconv"
	"time"
)

// serve writes a stored variant: its headers, Age, Cache-Status, and either 304 (when r's
// validators match), the headers alone (HEAD), or the body.
func (p *Pages) serve(w http.ResponseWriter, r *http.Request, v *variantView, cacheStatus string, now int64) {
	h := w.Header()
	etag, lastMod := writeHeaderBlock(h, v.header)
	age := (now - v.stored) / int64(time.Second)
	if age < 0 {
		age = 0
	}
	own := make([]string, 3) // Age, Cache-Status, Content-Length in one allocation
	own[0], own[1] = strconv.FormatInt(age, 10), cacheStatus
	h["Age"], h["Cache-Status"] = own[0:1:1], own[1:2:2]
	if v.status == http.StatusOK && notModified(r, etag, lastMod) {
		delete(h, "Content-Type")
		delete(h, "Content-Encoding")
		if etag != "" {
			delete(h, "Last-Modified")
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	own[2] = strconv.Itoa(len(v.body))
	h["Content-Length"] = own[2:3:3]
	w.WriteHeader(v.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(v.body)
	}
}

// writeHeaderBlock sets the stored headers on h (replacing values the outer handlers may have
// set for the same names) with one string and one slice allocation in all, and returns the
// ETag and Last-Modified values.
func writeHeaderBlock(h http.Header, block []byte) (etag, lastMod string) {
	n := 0 // the block was validated by parseVariant
	for d := (decoder{b: block}); len(d.b) > 0 && !d.bad; n++ {
		d.bytes()
		d.bytes()
	}
	if n == 0 {
		return "", ""
	}
	all := string(block)
	vals := make([]string, n)
	d := decoder{b: block}
	off := func() int { return len(block) - len(d.b) }
	start, prev := 0, ""
	for i := range n {
		kl := int(d.uvarint())
		ks := off()
		d.b = d.b[kl:]
		vl := int(d.uvarint())
		vs := off()
		d.b = d.b[vl:]
		k, v := all[ks:ks+kl], all[vs:vs+vl]
		if k != prev {
			start, prev = i, k
		}
		vals[i] = v
		h[k] = vals[start : i+1 : i+1]
		switch k {
		case "Etag":
			etag = v
		case "Last-Modified":
			lastMod = v
		}
	}
	return etag, lastMod
}
