package pdf

import "io"

// WithOutput returns a copy of r whose documents are written through
// wrap, so that tests can make the last step of rendering fail.
func WithOutput(r *Renderer, wrap func(io.Writer) io.Writer) *Renderer {
	c := *r
	c.output = wrap
	return &c
}
