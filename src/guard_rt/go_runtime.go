
// AbiguardResult is what AbiguardCheck concluded about the loaded library
// and this package's C types: Outcome is "verified", "accepted-unverified",
// "warned" (refused, but ABIGUARD_POLICY=warn) or "off"; Message says why.
type AbiguardResult struct {
	Outcome string
	Message string
}

// AbiguardError is returned when the binding must not use the library.
type AbiguardError struct {
	Message string
}

func (e *AbiguardError) Error() string { return e.Message }

type abiguardProblems []string

func (p *abiguardProblems) size(ctype string, got, want uint64) {
	if want != 0 && got != want {
		*p = append(*p, fmt.Sprintf("%s is %d bytes in the binding's C types, %d in %s", ctype, got, want, abiguardBaseline))
	}
}

func (p *abiguardProblems) align(ctype string, got, want uint64) {
	if want != 0 && got != want {
		*p = append(*p, fmt.Sprintf("%s is aligned to %d bytes in the binding's C types, %d in %s", ctype, got, want, abiguardBaseline))
	}
}

func (p *abiguardProblems) field(ctype, member string, off, size, wantOff, wantSize uint64) {
	if off != wantOff || (wantSize != 0 && size != wantSize) {
		*p = append(*p, fmt.Sprintf("%s::%s is at offset %d (%d bytes) in the binding's C types, at offset %d (%d bytes) in %s",
			ctype, member, off, size, wantOff, wantSize, abiguardBaseline))
	}
}

func (p *abiguardProblems) enumerator(ctype, name string, got, want int64) {
	if got != want {
		*p = append(*p, fmt.Sprintf("%s: %s is %d in the binding's C types, %d in %s", ctype, name, got, want, abiguardBaseline))
	}
}

func (p *abiguardProblems) enumeratorUnsigned(ctype, name string, got, want uint64) {
	if got != want {
		*p = append(*p, fmt.Sprintf("%s: %s is %d in the binding's C types, %d in %s", ctype, name, got, want, abiguardBaseline))
	}
}

// AbiguardCheck checks the loaded library with the C stub (its build-id,
// SONAME, required symbols, versions and data-object sizes, read from
// memory), then compares unsafe.Sizeof/Alignof/Offsetof of the C types
// this package was compiled with against the baseline's layouts. A nil
// error means the binding may use the library; the result says how sure
// that is. Safe to call from any goroutine.
func AbiguardCheck() (AbiguardResult, error) {
	var buf [2048]C.char
	rc := int(C.abiguard_verify_@i@(&buf[0], C.size_t(len(buf))))
	msg := C.GoString(&buf[0])
	policy := os.Getenv("ABIGUARD_POLICY")
	if policy == "off" {
		return AbiguardResult{"off", msg}, nil
	}
	if rc >= 3 {
		return AbiguardResult{}, &AbiguardError{msg}
	}
	res := AbiguardResult{[]string{"verified", "accepted-unverified", "warned"}[rc], msg}
	problems := abiguardLayouts()
	if len(problems) == 0 {
		return res, nil
	}
	what := "the binding's C types do not match " + abiguardBaseline + ": " + strings.Join(problems, "; ")
	if policy == "warn" {
		if rc == 2 {
			what = msg + "; " + what
		}
		return AbiguardResult{"warned", what + "; running anyway (ABIGUARD_POLICY=warn)"}, nil
	}
	return AbiguardResult{}, &AbiguardError{what + "; refusing to load (ABIGUARD_POLICY=warn would run anyway)"}
}

// AbiguardVerify is AbiguardCheck for a package's init: nil when the
// library may be used.
func AbiguardVerify() error {
	_, err := AbiguardCheck()
	return err
}
