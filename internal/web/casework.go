package web

// CaseWorkServices are the domain services of the case manager's and labour expert's portal: signals as the start page, the case with its timeline, plan of action, contact log, process notes and the physician's advice.
type CaseWorkServices struct{}

// caseWorkRoutes registers the case manager's and labour expert's portal: signals as the start page, the case with its timeline, plan of action, contact log, process notes and the physician's advice.
func (s *Server) caseWorkRoutes() {}
