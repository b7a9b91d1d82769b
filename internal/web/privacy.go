package web

// PrivacyServices are the domain services of the privacy officer's portal: the request register, HR-side decisions and the audit trail.
type PrivacyServices struct{}

// privacyRoutes registers the privacy officer's portal: the request register, HR-side decisions and the audit trail.
func (s *Server) privacyRoutes() {}
