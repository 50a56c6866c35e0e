package auth

import _ "embed"

// OpenAPI is this package's part of the API document: the token endpoint and the roles.
//
//go:embed openapi.json
var OpenAPI []byte
