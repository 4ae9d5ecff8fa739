package retort

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/schema"
)

// TestRenderWarnings: a narrowing type change carries a WARNING in the
// upgrade; widening it back in the downgrade carries none.
func TestRenderWarnings(t *testing.T) {
	table := func(length int) *schema.Schema {
		return &schema.Schema{Tables: []*schema.Table{{Name: "users", Columns: []schema.Column{
			{Name: "id", Type: schema.Type{Name: "int"}},
			{Name: "email", Type: schema.Type{Name: "varchar", Length: length}, Nullable: true},
		}}}}
	}
	res, err := planAutogenerate(postgres.New(), table(100), table(50))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Upgrade) != 1 || len(res.Downgrade) != 1 {
		t.Fatalf("ops: %v / %v", res.Upgrade, res.Downgrade)
	}
	want := "-- WARNING: changes the type of column users.email from varchar(100) to varchar(50), which may lose data\n"
	if !strings.HasPrefix(res.Upgrades, want) || !strings.HasSuffix(res.Upgrades, ";") {
		t.Fatalf("upgrade:\n%s", res.Upgrades)
	}
	if strings.Contains(res.Downgrades, "WARNING") || !strings.HasSuffix(res.Downgrades, ";") {
		t.Fatalf("downgrade:\n%s", res.Downgrades)
	}
	empty, err := planAutogenerate(postgres.New(), table(50), table(50))
	if err != nil || !empty.Empty() || empty.Upgrades != "" || empty.Downgrades != "" {
		t.Fatalf("same schema: %+v, %v", empty, err)
	}
}
