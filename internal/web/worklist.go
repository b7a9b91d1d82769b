package web

// WorklistServices are the domain services of the company doctor's worklist (physician, lead physician, medical assistant): their own dossiers, consultations to plan, open medical requests, answers received and problem analyses due, scoped to the dossiers in their care; and issuing an employee's login from a page.
type WorklistServices struct{}

// worklistRoutes registers the company doctor's worklist (physician, lead physician, medical assistant): their own dossiers, consultations to plan, open medical requests, answers received and problem analyses due, scoped to the dossiers in their care; and issuing an employee's login from a page.
func (s *Server) worklistRoutes() {}
