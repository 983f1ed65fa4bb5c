package httpcache

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"html/template"
	"strings"
	"text/template/parse"
)

// templateDigest returns a digest of the source of t's template named name and of every
// template it calls ({{template "x"}}), so that a deployed change to any of them changes the
// fragment keys that use it (as Rails' template digests do).
//
// The digest is computed from the parse tree with what html/template's escaper adds on first
// execution removed (escaper commands, context-specific template names, HTML comments, which
// the escaper strips), so it depends on the source alone. The caller must have executed the
// template first: the escaper rewrites the trees in place, and reading them meanwhile races.
func templateDigest(t *template.Template, name string) (string, bool) {
	h := sha256.New()
	if !digestTree(h, t, name, map[string]bool{}) {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)[:12]), true
}

func digestTree(h hash.Hash, t *template.Template, name string, seen map[string]bool) bool {
	tt := t.Lookup(name)
	if tt == nil || tt.Tree == nil || tt.Tree.Root == nil {
		return false
	}
	if seen[name] {
		h.Write([]byte("\x00recursion:" + name))
		return true
	}
	seen[name] = true
	h.Write([]byte("\x00define:" + name + "\x00"))
	digestNode(h, t, tt.Tree.Root, seen)
	return true
}

func digestNode(h hash.Hash, t *template.Template, n parse.Node, seen map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			digestNode(h, t, c, seen)
		}
	case *parse.TextNode:
		h.Write([]byte("\x00text:"))
		h.Write([]byte(stripHTMLComments(string(n.Text))))
	case *parse.ActionNode:
		h.Write([]byte("\x00action:"))
		digestPipe(h, n.Pipe)
	case *parse.IfNode:
		digestBranch(h, t, "if", &n.BranchNode, seen)
	case *parse.RangeNode:
		digestBranch(h, t, "range", &n.BranchNode, seen)
	case *parse.WithNode:
		digestBranch(h, t, "with", &n.BranchNode, seen)
	case *parse.TemplateNode:
		name := n.Name
		if i := strings.Index(name, "$htmltemplate_"); i >= 0 {
			name = name[:i]
		}
		h.Write([]byte("\x00template:" + name + "\x00"))
		digestPipe(h, n.Pipe)
		if !digestTree(h, t, name, seen) {
			h.Write([]byte("\x00undefined"))
		}
	default:
		h.Write([]byte("\x00node:" + n.String()))
	}
}

func digestBranch(h hash.Hash, t *template.Template, kind string, b *parse.BranchNode, seen map[string]bool) {
	h.Write([]byte("\x00" + kind + ":"))
	digestPipe(h, b.Pipe)
	digestNode(h, t, b.List, seen)
	if b.ElseList != nil {
		h.Write([]byte("\x00else:"))
		digestNode(h, t, b.ElseList, seen)
	}
	h.Write([]byte("\x00end"))
}

func digestPipe(h hash.Hash, p *parse.PipeNode) {
	if p == nil {
		return
	}
	for _, v := range p.Decl {
		h.Write([]byte(v.String() + "="))
	}
	for _, c := range p.Cmds {
		if len(c.Args) > 0 {
			if id, ok := c.Args[0].(*parse.IdentifierNode); ok && strings.HasPrefix(id.Ident, "_html_template_") {
				continue
			}
		}
		h.Write([]byte("|" + c.String()))
	}
}

func stripHTMLComments(s string) string {
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+4+j+3:]
	}
}
