package register

// SetSearchCap lets the tests of package register_test lower the number of matches a search pages
// itself, so the database's count and page are tested too; it returns the previous cap.
func SetSearchCap(n int) int {
	old := searchCap
	searchCap = n
	return old
}
