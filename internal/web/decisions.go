package web

// DecisionServices are the domain services of the physician's decisions: verdicts, examination outcomes and work-ability advice with a preview per audience; deciding, releasing and extending requests; destruction; the lead physician's release for an absent physician and the unattended request queue.
type DecisionServices struct{}

// decisionRoutes registers the physician's decisions: verdicts, examination outcomes and work-ability advice with a preview per audience; deciding, releasing and extending requests; destruction; the lead physician's release for an absent physician and the unattended request queue.
func (s *Server) decisionRoutes() {}
