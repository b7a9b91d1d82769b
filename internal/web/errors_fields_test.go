package web

import (
	"fmt"
	"maps"
	"testing"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

func TestFieldTablePut(t *testing.T) {
	table := fieldTable{messages: map[string]string{"naam": "Vul een naam in.", "algemeen": "Niet alles is goed."}}
	custom := fieldTable{messages: map[string]string{"naam": "Vul een naam in."},
		message: func(service, form string) string { return service + ">" + form }}
	tests := []struct {
		name  string
		table fieldTable
		err   error
		names map[string]string
		want  map[string]string
		ok    bool
	}{
		{"no field errors", table, derrors.ErrConflict, map[string]string{"name": "naam"}, map[string]string{}, false},
		{"nil error", table, nil, nil, map[string]string{}, false},
		{"mapped", table, derrors.FieldErrors{"name": "x"}, map[string]string{"name": "naam"},
			map[string]string{"naam": "Vul een naam in."}, true},
		{"wrapped", table, fmt.Errorf("svc: %w", derrors.FieldErrors{"name": "x"}), map[string]string{"name": "naam"},
			map[string]string{"naam": "Vul een naam in."}, true},
		{"unmapped goes under algemeen", table, derrors.FieldErrors{"other": "x"}, map[string]string{"name": "naam"},
			map[string]string{"algemeen": "Niet alles is goed."}, true},
		{"star takes the rest", table, derrors.FieldErrors{"other": "x"}, map[string]string{"*": "naam"},
			map[string]string{"naam": "Vul een naam in."}, true},
		{"nil names keep the service's name", table, derrors.FieldErrors{"naam": "x", "leeftijd": "y"}, nil,
			map[string]string{"naam": "Vul een naam in.", "leeftijd": "Dit is niet goed ingevuld."}, true},
		{"message func for the rest", custom, derrors.FieldErrors{"name": "x", "age": "y"}, map[string]string{"name": "naam", "age": "leeftijd"},
			map[string]string{"naam": "Vul een naam in.", "leeftijd": "age>leeftijd"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			ok := tt.table.put(tt.err, tt.names, got)
			if ok != tt.ok || !maps.Equal(got, tt.want) {
				t.Errorf("fieldTable.put(%v, %v) = %v, fields %v; want %v, fields %v", tt.err, tt.names, ok, got, tt.ok, tt.want)
			}
		})
	}
}
