package register

import (
	"testing"

	"linli/internal/errs"
	"linli/internal/pii"
)

// idFor builds a valid ID number for a birth date (YYYYMMDD) and a sequence digit string of 3.
func idFor(birth, seq string) string {
	first := "620702" + birth + seq
	return first + string(pii.IDCheckDigit(first))
}

// badCheck changes the check character of a valid ID number.
func badCheck(id string) string {
	if id[17] == '1' {
		return id[:17] + "2"
	}
	return id[:17] + "1"
}

func TestResidentInputNormalize(t *testing.T) {
	t.Run("cleans full-width digits and spaces and derives birth date and gender from the ID", func(t *testing.T) {
		id := idFor("19650308", "123") // 17th digit 3: male
		in := ResidentInput{Name: " 张　伟 ", IDNumber: "６２０７０２ " + id[6:], Phone: "138 0013 8000",
			Relation: "本人", ResidenceType: "户籍人口", Ethnicity: "汉", Tags: []string{"独居老人", "focus", "重点关注"}}
		if err := in.Normalize(); err != nil {
			t.Fatalf("Normalize: %v", err)
		}
		if in.Name != "张伟" || in.IDNumber != id || in.Phone != "13800138000" {
			t.Errorf("cleaned = %q %q %q", in.Name, in.IDNumber, in.Phone)
		}
		if in.BirthDate != "1965-03-08" || in.Gender != "M" || in.Relation != "户主" || in.ResidenceType != "huji" || in.Ethnicity != "汉族" {
			t.Errorf("derived = %+v", in)
		}
		if len(in.Tags) != 2 || in.Tags[0] != "elderly_alone" || in.Tags[1] != "focus" {
			t.Errorf("tags = %v", in.Tags)
		}
	})
	cases := []struct {
		name  string
		in    ResidentInput
		field string
	}{
		{"rejects an empty name", ResidentInput{}, "name"},
		{"rejects a bad ID checksum", ResidentInput{Name: "李娜", IDNumber: badCheck(idFor("19900101", "222"))}, "id_number"},
		{"rejects a bad phone", ResidentInput{Name: "李娜", Phone: "12345"}, "phone"},
		{"rejects a malformed birth date", ResidentInput{Name: "李娜", BirthDate: "1990-13-01"}, "birth_date"},
		{"rejects a birth date that contradicts the ID", ResidentInput{Name: "李娜", IDNumber: idFor("19900101", "222"), BirthDate: "1991-01-01"}, "birth_date"},
		{"rejects a gender that contradicts the ID", ResidentInput{Name: "李娜", IDNumber: idFor("19900101", "222"), Gender: "男"}, "gender"},
		{"rejects the derived minor tag", ResidentInput{Name: "李娜", Tags: []string{"minor"}}, "tags"},
		{"rejects the derived party member tag", ResidentInput{Name: "李娜", Tags: []string{"党员"}}, "tags"},
		{"rejects the derived aged-80 tag", ResidentInput{Name: "李娜", Tags: []string{"aged_80"}}, "tags"},
		{"rejects an unknown tag", ResidentInput{Name: "李娜", Tags: []string{"VIP"}}, "tags"},
		{"rejects an unknown relation", ResidentInput{Name: "李娜", Relation: "邻居大爷"}, "relation"},
		{"rejects an unknown residence type", ResidentInput{Name: "李娜", ResidenceType: "临时"}, "residence_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Normalize()
			if errs.FieldsOf(err)[c.field] == "" {
				t.Fatalf("Normalize() = %v, want a message for %s", err, c.field)
			}
		})
	}
}

func TestResidentInputSeal(t *testing.T) {
	s, err := pii.NewSealer("0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	in := ResidentInput{Name: "王芳", IDNumber: idFor("19800515", "246"), Phone: "13912345678"}
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
	sr := in.Seal(s)
	if sr.IDMasked != "6207**********"+in.IDNumber[14:] || sr.PhoneMasked != "139****5678" {
		t.Errorf("masked = %q %q", sr.IDMasked, sr.PhoneMasked)
	}
	if got, _ := s.Open(sr.IDEnc); got != in.IDNumber {
		t.Errorf("sealed ID opens to %q", got)
	}
	if !sr.IDIndex.Valid || sr.IDIndex.String != s.Index(in.IDNumber) || sr.PhoneIndex.String != s.Index("13912345678") {
		t.Error("blind indexes differ from the sealer's")
	}
	empty := ResidentInput{Name: "赵磊"}
	_ = empty.Normalize()
	if e := empty.Seal(s); e.IDIndex.Valid || e.PhoneIndex.Valid || e.IDEnc != nil {
		t.Error("an absent number must be stored as NULL")
	}
}

func TestAge(t *testing.T) {
	if a := Age("2008-06-01", "2026-05-31"); a != 17 {
		t.Errorf("day before 18th birthday: %d", a)
	}
	if a := Age("2008-06-01", "2026-06-01"); a != 18 {
		t.Errorf("on 18th birthday: %d", a)
	}
}
