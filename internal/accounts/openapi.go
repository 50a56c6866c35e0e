package accounts

import _ "embed"

// OpenAPI is this package's part of the API document: account management under /api/v1/users.
//
//go:embed openapi.json
var OpenAPI []byte
