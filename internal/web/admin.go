package web

// AdminServices are the domain services of the administrator's portal (tenants, users, grants, invitations) and the lead physician's second key on medical-role changes.
type AdminServices struct{}

// adminRoutes registers the administrator's portal (tenants, users, grants, invitations) and the lead physician's second key on medical-role changes.
func (s *Server) adminRoutes() {}
