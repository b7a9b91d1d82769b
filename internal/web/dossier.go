package web

// DossierServices are the domain services of the medical dossier pages of the physician, lead physician and medical assistant: entries with their versions, writing and correcting entries, attachments, exposure flags, the employee's own statements and emergency access.
type DossierServices struct{}

// dossierRoutes registers the medical dossier pages of the physician, lead physician and medical assistant: entries with their versions, writing and correcting entries, attachments, exposure flags, the employee's own statements and emergency access.
func (s *Server) dossierRoutes() {}
