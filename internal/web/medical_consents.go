package web

// ConsentServices are the domain services of the physician's consents, information requests, disclosures and transfers.
type ConsentServices struct{}

// consentRoutes registers the physician's consents, information requests, disclosures and transfers.
func (s *Server) consentRoutes() {}
