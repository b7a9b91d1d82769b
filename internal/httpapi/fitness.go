package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/fitness"
)

// Fitness runs verdicts and work-ability advice (see package fitness).
type Fitness interface {
	Record(ctx context.Context, a access.Actor, employeeID uuid.UUID, v fitness.Verdict) (fitness.Verdict, error)
	Verdicts(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Verdict, error)
	Decide(ctx context.Context, a access.Actor, verdictID uuid.UUID, d fitness.Decision) (fitness.Verdict, error)
	Publish(ctx context.Context, a access.Actor, employeeID uuid.UUID, adv fitness.Advice) (fitness.Advice, error)
	AdviceFor(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Advice, error)
}

// verdictRequest is the body of POST /employees/{id}/verdicts.
type verdictRequest struct {
	Kind                  string `json:"kind"`
	Verdict               string `json:"verdict"`
	WorkAbilityPercentage *int   `json:"work_ability_percentage"`
	Outcome               string `json:"outcome"`
	AbsenceID             string `json:"absence_id"`
	Date                  string `json:"date"`
}

type verdictResponse struct {
	ID                    string `json:"id"`
	EmployeeID            string `json:"employee_id"`
	Kind                  string `json:"kind"`
	Verdict               string `json:"verdict,omitempty"`
	WorkAbilityPercentage int    `json:"work_ability_percentage,omitempty"`
	AbsenceID             string `json:"absence_id,omitempty"`
	Outcome               string `json:"outcome,omitempty"`
	// EmployeeDecision is pending, released or blocked (examinations).
	EmployeeDecision string `json:"employee_decision,omitempty"`
	Date             string `json:"date"`
}

func toVerdictResponse(v fitness.Verdict) verdictResponse {
	return verdictResponse{ID: v.ID.String(), EmployeeID: v.EmployeeID.String(), Kind: string(v.Kind), Verdict: v.Verdict,
		WorkAbilityPercentage: v.WorkAbilityPercentage, AbsenceID: optID(v.AbsenceID), Outcome: v.Outcome,
		EmployeeDecision: string(v.Decision), Date: optDate(v.Date)}
}

// decisionRequest is the body of POST /verdicts/{id}/decision.
type decisionRequest struct {
	Decision string `json:"decision"`
}

// adviceRequest is the body of POST /employees/{id}/advice.
type adviceRequest struct {
	Limitations           string `json:"limitations"`
	Possibilities         string `json:"possibilities"`
	ExpectedDurationWeeks int    `json:"expected_duration_weeks"`
	AbsenceID             string `json:"absence_id"`
}

type adviceResponse struct {
	ID                    string `json:"id"`
	EmployeeID            string `json:"employee_id"`
	AbsenceID             string `json:"absence_id,omitempty"`
	Limitations           string `json:"limitations"`
	Possibilities         string `json:"possibilities"`
	ExpectedDurationWeeks int    `json:"expected_duration_weeks"`
	PublishedAt           string `json:"published_at"`
	Notice                string `json:"notice"`
}

// adviceNotice reminds every reader what the advice is and is not.
const adviceNotice = "Work-ability advice in non-medical terms: limitations and possibilities for work. It never holds a diagnosis or treatment."

func toAdviceResponse(a fitness.Advice) adviceResponse {
	return adviceResponse{ID: a.ID.String(), EmployeeID: a.EmployeeID.String(), AbsenceID: optID(a.AbsenceID),
		Limitations: a.Limitations, Possibilities: a.Possibilities, ExpectedDurationWeeks: a.ExpectedDurationWeeks,
		PublishedAt: a.PublishedAt.UTC().Format(time.RFC3339), Notice: adviceNotice}
}

func optUUIDField(fe derrors.FieldErrors, name, v string) uuid.UUID {
	if v == "" {
		return uuid.Nil
	}
	return uuidField(fe, name, v)
}

func (s *Server) recordVerdict(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in verdictRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	v := fitness.Verdict{Kind: fitness.Kind(in.Kind), Verdict: in.Verdict, Outcome: in.Outcome,
		AbsenceID: optUUIDField(fe, "absence_id", in.AbsenceID), Date: dateField(fe, "date", in.Date, true)}
	if in.WorkAbilityPercentage != nil {
		v.WorkAbilityPercentage = *in.WorkAbilityPercentage
		if v.WorkAbilityPercentage == 0 {
			fe.Add("work_ability_percentage", "must be between 1 and 99 for partly_fit, or left out")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Fitness.Record(c, actorOf(c), employeeID, v)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toVerdictResponse(out))
	return nil
}

func (s *Server) listVerdicts(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	vs, err := s.opts.Fitness.Verdicts(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	out := make([]verdictResponse, 0, len(vs))
	for _, v := range vs {
		out = append(out, toVerdictResponse(v))
	}
	c.JSON(http.StatusOK, gin.H{"verdicts": out})
	return nil
}

func (s *Server) decideVerdict(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in decisionRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	out, err := s.opts.Fitness.Decide(c, actorOf(c), id, fitness.Decision(in.Decision))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toVerdictResponse(out))
	return nil
}

func (s *Server) publishAdvice(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in adviceRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	adv := fitness.Advice{Limitations: in.Limitations, Possibilities: in.Possibilities,
		ExpectedDurationWeeks: in.ExpectedDurationWeeks, AbsenceID: optUUIDField(fe, "absence_id", in.AbsenceID)}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Fitness.Publish(c, actorOf(c), employeeID, adv)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toAdviceResponse(out))
	return nil
}

func (s *Server) listAdvice(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	as, err := s.opts.Fitness.AdviceFor(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	out := make([]adviceResponse, 0, len(as))
	for _, a := range as {
		out = append(out, toAdviceResponse(a))
	}
	c.JSON(http.StatusOK, gin.H{"advice": out})
	return nil
}
