package pdf

import "io"

// WithOutput returns a copy of r whose documents are written through
// wrap, so that tests can make the last step of rendering fail.
func WithOutput(r *Renderer, wrap func(io.Writer) io.Writer) *Renderer {
	c := *r
	c.output = wrap
	return &c
}

// The renderers of the page models, for tests that lay out a document
// field by field.

func (r *Renderer) RenderConsentForm(f ConsentForm) ([]byte, error)   { return r.renderConsentForm(f) }
func (r *Renderer) RenderDisclosure(x Disclosure) ([]byte, error)     { return r.renderDisclosure(x) }
func (r *Renderer) RenderDossierCopy(c DossierCopy) ([]byte, error)   { return r.renderDossierCopy(c) }
func (r *Renderer) RenderPlanOfAction(p PlanOfAction) ([]byte, error) { return r.renderPlanOfAction(p) }
func (r *Renderer) RenderTransferSummary(t TransferSummary) ([]byte, error) {
	return r.renderTransferSummary(t)
}
func (r *Renderer) RenderDestructionStatement(s DestructionStatement) ([]byte, error) {
	return r.renderDestructionStatement(s)
}
func (r *Renderer) RenderActivationLetter(l ActivationLetter) ([]byte, error) {
	return r.renderActivationLetter(l)
}
