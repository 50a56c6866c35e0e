package demo

// orNull turns an empty value into SQL NULL, so that an absent number has no blind index.
func orNull[T string | []byte](v T) any {
	if len(v) == 0 {
		return nil
	}
	return v
}
